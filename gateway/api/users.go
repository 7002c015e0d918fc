package api

import (
	"errors"
	"fmt"
	"net/http"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
)

// maxStations bounds a user's station list (a real gateway has a few dozen).
const maxStations = 256

type accountJSON struct {
	Username           string   `json:"username"`
	Role               string   `json:"role"`
	Stations           []string `json:"stations"`
	Disabled           bool     `json:"disabled"`
	MustChangePassword bool     `json:"must_change_password"`
	CreatedAt          string   `json:"created_at"`
}

func toAccountJSON(a auth.Account) accountJSON {
	stations := a.Stations
	if stations == nil {
		stations = []string{}
	}
	return accountJSON{Username: a.Name, Role: string(a.Role), Stations: stations, Disabled: a.Disabled,
		MustChangePassword: a.MustChangePassword, CreatedAt: rfc3339(a.CreatedAt)}
}

type createUserRequest struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Role     string   `json:"role"`
	Stations []string `json:"stations"`
	// MustChangePassword defaults to true: the admin chose the password,
	// so the user replaces it at first login.
	MustChangePassword *bool `json:"must_change_password"`
}

type updateUserRequest struct {
	Role     *string   `json:"role"`
	Stations *[]string `json:"stations"`
	Disabled *bool     `json:"disabled"`
	Password *string   `json:"password"` // a reset: the user must change it
}

// parseCreateUser validates a create request against the known stations.
func parseCreateUser(req createUserRequest, cat StationFinder) (auth.NewAccount, error) {
	if !auth.ValidUsername(req.Username) {
		return auth.NewAccount{}, errors.New("username must be 1-64 characters of letters, digits, . _ @ -, starting with a letter or digit")
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return auth.NewAccount{}, err
	}
	if err := auth.CheckPasswordPolicy(req.Password); err != nil {
		return auth.NewAccount{}, err
	}
	if err := checkScope(role, req.Stations, cat); err != nil {
		return auth.NewAccount{}, err
	}
	must := req.MustChangePassword == nil || *req.MustChangePassword
	return auth.NewAccount{Name: req.Username, Password: req.Password, Role: role, Stations: req.Stations, MustChange: must}, nil
}

// parseUpdateUser validates an edit of cur against the known stations.
func parseUpdateUser(req updateUserRequest, cur auth.Account, cat StationFinder) (auth.AccountChange, error) {
	var ch auth.AccountChange
	role := cur.Role
	if req.Role != nil {
		r, err := auth.ParseRole(*req.Role)
		if err != nil {
			return ch, err
		}
		role, ch.Role = r, &r
	}
	stations := cur.Stations
	if req.Stations != nil {
		stations, ch.Stations = *req.Stations, req.Stations
	}
	if err := checkScope(role, stations, cat); err != nil {
		return ch, err
	}
	if req.Password != nil {
		if err := auth.CheckPasswordPolicy(*req.Password); err != nil {
			return ch, err
		}
	}
	ch.Disabled, ch.Password = req.Disabled, req.Password
	return ch, nil
}

// checkScope accepts known station ids; admins see every station, since
// an admin could grant themselves any scope anyway.
func checkScope(role auth.Role, stations []string, cat StationFinder) error {
	if role == auth.RoleAdmin && len(stations) > 0 {
		return errors.New("admins see every station: leave stations empty")
	}
	if len(stations) > maxStations {
		return fmt.Errorf("at most %d stations", maxStations)
	}
	for _, id := range stations {
		if _, ok := cat.Station(id); !ok {
			return fmt.Errorf("unknown station %q", clipRunes(id, 64))
		}
	}
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request, u auth.User) {
	list, err := s.opts.Accounts.ListAccounts(r.Context())
	if err != nil {
		s.accountError(w, "user", err)
		return
	}
	out := make([]accountJSON, 0, len(list))
	for _, a := range list {
		out = append(out, toAccountJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, u auth.User) {
	var req createUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	na, err := parseCreateUser(req, s.opts.Catalog)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a, err := s.opts.Accounts.CreateAccount(r.Context(), na)
	if err != nil {
		s.accountError(w, "user", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionUserCreate, Detail: map[string]any{
		"target": a.Name, "role": string(a.Role), "stations": toAccountJSON(a).Stations, "must_change_password": a.MustChangePassword,
	}})
	writeJSON(w, http.StatusCreated, toAccountJSON(a))
}

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request, u auth.User) {
	var req updateUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name := r.PathValue("name")
	cur, err := s.opts.Accounts.Account(r.Context(), name)
	if err != nil {
		s.accountError(w, "user", err)
		return
	}
	ch, err := parseUpdateUser(req, cur, s.opts.Catalog)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a, err := s.opts.Accounts.UpdateAccount(r.Context(), u.Name, name, ch)
	if err != nil {
		s.accountError(w, "user", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionUserUpdate, Detail: changeDetail(a, ch)})
	writeJSON(w, http.StatusOK, toAccountJSON(a))
}

// changeDetail describes an account change for the audit log: what was
// set, never the password itself.
func changeDetail(a auth.Account, ch auth.AccountChange) map[string]any {
	d := map[string]any{"target": a.Name}
	if ch.Role != nil {
		d["role"] = string(*ch.Role)
	}
	if ch.Stations != nil {
		d["stations"] = toAccountJSON(a).Stations
	}
	if ch.Disabled != nil {
		d["disabled"] = *ch.Disabled
	}
	if ch.Password != nil {
		d["password_reset"] = true
	}
	return d
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, u auth.User) {
	name := r.PathValue("name")
	if err := s.opts.Accounts.DeleteAccount(r.Context(), u.Name, name); err != nil {
		s.accountError(w, "user", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionUserDelete, Detail: map[string]any{"target": name}})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRevokeSessions(w http.ResponseWriter, r *http.Request, u auth.User) {
	name := r.PathValue("name")
	n, err := s.opts.Accounts.RevokeSessions(r.Context(), name)
	if err != nil {
		s.accountError(w, "user", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionSessionsRevoke,
		Detail: map[string]any{"target": name, "sessions": n}})
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
}
