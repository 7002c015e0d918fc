package rtsp

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/headers"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
)

// playHandler answers gortsplib's callbacks for a PlayServer: every
// DESCRIBE and SETUP is authorized by the PlayHandler, each session gets
// a stream of its own, and PLAY starts the handler's Play for it.
type playHandler struct {
	s *PlayServer
}

// credentials returns the Basic credentials of a request; empty when
// none (or another scheme) were sent.
func credentials(c *gortsplib.ServerConn, req *base.Request) Credentials {
	cr := Credentials{Remote: c.NetConn().RemoteAddr().String()}
	var h headers.Authorization
	if err := h.Unmarshal(req.Header["Authorization"]); err == nil && h.Method == headers.AuthMethodBasic {
		cr.User, cr.Password = h.Username, h.BasicPass
	}
	return cr
}

// admit checks a request's credentials and path and returns the path's
// tracks, or the response that refuses it. A request without credentials
// gets 401 with the challenge (gortsplib adds it); wrong ones get 401 and
// the connection is closed.
func (h *playHandler) admit(ctx context.Context, path string, cr Credentials) (Tracks, *base.Response, error) {
	path = strings.TrimPrefix(path, "/")
	if cr.User == "" {
		return Tracks{}, &base.Response{StatusCode: base.StatusUnauthorized}, liberrors.ErrServerAuth{}
	}
	hd := h.s.opts.Handler
	if err := hd.Authorize(ctx, path, cr); err != nil {
		if errors.Is(err, ErrNoSuchPath) {
			return Tracks{}, &base.Response{StatusCode: base.StatusNotFound}, nil
		}
		return Tracks{}, &base.Response{StatusCode: base.StatusUnauthorized}, liberrors.ErrServerAuth{}
	}
	t, err := hd.Describe(path)
	switch {
	case errors.Is(err, ErrNoSuchPath):
		return Tracks{}, &base.Response{StatusCode: base.StatusNotFound}, nil
	case err != nil:
		return Tracks{}, &base.Response{StatusCode: base.StatusServiceUnavailable}, nil
	}
	return t, nil, nil
}

// OnDescribe implements gortsplib.ServerHandlerOnDescribe. The SDP is
// built here: streams exist per session, from SETUP on.
func (h *playHandler) OnDescribe(c *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	t, res, err := h.admit(h.s.ctx, c.Path, credentials(c.Conn, c.Request))
	if res != nil {
		return res, nil, err
	}
	p, err := newServerPath(strings.TrimPrefix(c.Path, "/"), t.Video, t.Audio)
	if err != nil {
		return &base.Response{StatusCode: base.StatusServiceUnavailable}, nil, err
	}
	body, err := describeBody(p.desc)
	if err != nil {
		return &base.Response{StatusCode: base.StatusInternalServerError}, nil, err
	}
	return &base.Response{StatusCode: base.StatusOK, Body: body}, nil, nil
}

// describeBody marshals desc with the trackID controls gortsplib gives
// every stream's medias, so SETUP finds them by index.
func describeBody(desc *description.Session) ([]byte, error) {
	out := &description.Session{Title: desc.Title}
	for i, m := range desc.Medias {
		out.Medias = append(out.Medias, &description.Media{
			Type: m.Type, Control: "trackID=" + strconv.Itoa(i), Formats: m.Formats,
		})
	}
	return out.Marshal(false)
}

// OnSetup implements gortsplib.ServerHandlerOnSetup. The first SETUP of a
// session builds its stream; later ones (audio) return the same. UDP
// SETUPs never get here: with no UDP listener, gortsplib answers 461.
func (h *playHandler) OnSetup(c *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	path := strings.TrimPrefix(c.Path, "/")
	cr := credentials(c.Conn, c.Request)
	t, res, err := h.admit(h.s.ctx, path, cr)
	if res != nil {
		return res, nil, err
	}
	if ps := h.s.session(c.Session); ps != nil {
		if ps.path.name != path {
			return &base.Response{StatusCode: base.StatusBadRequest}, nil, liberrors.ErrServerPathHasChanged{Prev: ps.path.name, Cur: path}
		}
		return &base.Response{StatusCode: base.StatusOK}, ps.stream, nil
	}
	ps, err := h.newSession(c.Session, path, cr, t)
	if err != nil {
		return &base.Response{StatusCode: base.StatusServiceUnavailable}, nil, err
	}
	return &base.Response{StatusCode: base.StatusOK}, ps.stream, nil
}

func (h *playHandler) newSession(ss *gortsplib.ServerSession, path string, cr Credentials, t Tracks) (*PlaySession, error) {
	p, err := newServerPath(path, t.Video, t.Audio)
	if err != nil {
		return nil, err
	}
	if err := p.open(h.s.srv); err != nil {
		return nil, err
	}
	p.sink = sessionSink{ss: ss}
	ps := &PlaySession{ss: ss, stream: p.stream, path: p, creds: cr, tracks: t}
	ps.ctx, ps.cancel = context.WithCancel(h.s.ctx)
	h.s.addSession(ps)
	return ps, nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay.
func (h *playHandler) OnPlay(c *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	ps := h.s.session(c.Session)
	if ps == nil {
		return &base.Response{StatusCode: base.StatusBadRequest}, liberrors.ErrServerNoMediasSetup{}
	}
	audio := false
	for _, m := range c.Session.SetuppedMedias() {
		audio = audio || ps.path.audio != nil && m == ps.path.audio.media
	}
	h.s.startPlay(ps, audio)
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose implements gortsplib.ServerHandlerOnSessionClose.
func (h *playHandler) OnSessionClose(c *gortsplib.ServerHandlerOnSessionCloseCtx) {
	h.s.endSession(c.Session)
}
