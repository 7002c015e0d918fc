package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxJSONBody bounds request bodies; nothing the API takes is larger.
const maxJSONBody = 64 << 10

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// decodeJSON reads one JSON object into v, refusing unknown fields,
// trailing data and oversized bodies, with a message a person can act on.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	err := decodeStrict(http.MaxBytesReader(w, r.Body, maxJSONBody), v)
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return fmt.Errorf("request body larger than %d bytes", maxJSONBody)
	}
	return err
}

// decodeStrict is how every request body is read: one JSON object, no
// unknown field, nothing after it. A body over a MaxBytesReader's limit
// is returned as that error, for the caller to word.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return err
		case errors.Is(err, io.EOF):
			return errors.New("empty request body")
		}
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if dec.More() {
		return errors.New("invalid JSON: trailing data after the object")
	}
	return nil
}
