package rtsp

import (
	"strings"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
)

// serverHandler answers gortsplib's callbacks: read-only access to the
// paths, with credentials checked on DESCRIBE and SETUP as cameras do.
// Publishing (ANNOUNCE/RECORD) is not offered.
type serverHandler struct {
	s *Server
}

// authorize checks credentials when the server demands them. A wrong or
// missing answer gets 401; gortsplib adds the WWW-Authenticate challenge
// (Basic and Digest) when no credentials were sent.
func (h *serverHandler) authorize(c *gortsplib.ServerConn, req *base.Request) (*base.Response, error) {
	o := h.s.opts
	if o.Username == "" || c.VerifyCredentials(req, o.Username, o.Password) {
		return nil, nil
	}
	return &base.Response{StatusCode: base.StatusUnauthorized}, liberrors.ErrServerAuth{}
}

// stream returns the running stream of a request path ("/cam0").
func (h *serverHandler) stream(path string) (*base.Response, *gortsplib.ServerStream) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.paths[strings.TrimPrefix(path, "/")]
	if !ok || p.stream == nil {
		return &base.Response{StatusCode: base.StatusNotFound}, nil
	}
	return &base.Response{StatusCode: base.StatusOK}, p.stream
}

// OnDescribe implements gortsplib.ServerHandlerOnDescribe.
func (h *serverHandler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (
	*base.Response, *gortsplib.ServerStream, error,
) {
	if res, err := h.authorize(ctx.Conn, ctx.Request); res != nil {
		return res, nil, err
	}
	if refuse := h.s.opts.Refuse; refuse != nil {
		if code, reason := refuse(strings.TrimPrefix(ctx.Path, "/")); code != 0 {
			return &base.Response{StatusCode: base.StatusCode(code), StatusMessage: reason}, nil, nil
		}
	}
	res, st := h.stream(ctx.Path)
	return res, st, nil
}

// OnSetup implements gortsplib.ServerHandlerOnSetup.
func (h *serverHandler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (
	*base.Response, *gortsplib.ServerStream, error,
) {
	if res, err := h.authorize(ctx.Conn, ctx.Request); res != nil {
		return res, nil, err
	}
	res, st := h.stream(ctx.Path)
	return res, st, nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay.
func (h *serverHandler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	if h.s.opts.OnPlay != nil {
		h.s.opts.OnPlay(strings.TrimPrefix(ctx.Path, "/"))
	}
	return &base.Response{StatusCode: base.StatusOK}, nil
}
