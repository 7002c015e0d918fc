package api

// Playback over WHEP: POST /api/whep/{camera}?start=RFC3339&speed=S plays
// the camera's recording from start (DESIGN.md "Recordings and
// playback"). 400 for a bad time or speed, or a time in the future; 404
// for a camera the user may not see (as for live); 422 when nothing is
// recorded at start (the message names the nearest recorded time).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"vigil/gateway/catalog"
	"vigil/streams/playback"
	"vigil/streams/segstore"
	"vigil/streams/webrtc"
)

// Recordings is what playback and the recording routes read; the gateway
// implements it over its segment index (and, in a cluster, the shared
// recording spans).
type Recordings interface {
	// Store is the index players read segments from.
	Store() playback.Store
	// Spans lists the recorded spans of camera overlapping [from, to).
	Spans(ctx context.Context, camera string, from, to time.Time) ([]segstore.Span, error)
	// ExportMP4 writes [from, to) of camera as one MP4 at path; it returns
	// playback's or clip's errors for nothing recorded.
	ExportMP4(ctx context.Context, camera string, from, to time.Time, path string) error
}

// playRequest is a WHEP offer's playback query.
type playRequest struct {
	start time.Time
	speed float64
}

// parsePlay reads ?start=&speed=; nil without start (live).
func parsePlay(r *http.Request) (*playRequest, error) {
	q := r.URL.Query()
	if !q.Has("start") {
		if q.Has("speed") {
			return nil, errors.New("speed needs start")
		}
		return nil, nil
	}
	start, err := time.Parse(time.RFC3339Nano, q.Get("start"))
	if err != nil {
		return nil, errors.New("start must be an RFC 3339 time")
	}
	p := &playRequest{start: start, speed: 1}
	if s := q.Get("speed"); s != "" {
		if p.speed, err = strconv.ParseFloat(s, 64); err != nil {
			return nil, errors.New("speed must be a number")
		}
	}
	if err := playback.CheckSpeed(p.speed); err != nil {
		return nil, errors.New("speed must be from 0.125 to 16")
	}
	return p, nil
}

// playStatus maps a player's refusal to a status code and message.
func playStatus(err error) (int, string) {
	var nr *playback.NoRecordingError
	switch {
	case errors.Is(err, playback.ErrFuture):
		return http.StatusBadRequest, "start is in the future"
	case errors.Is(err, playback.ErrSpeed):
		return http.StatusBadRequest, "speed must be from 0.125 to 16"
	case errors.As(err, &nr) && nr.Nearest.IsZero():
		return http.StatusUnprocessableEntity, "nothing recorded for this camera"
	case errors.As(err, &nr):
		return http.StatusUnprocessableEntity, fmt.Sprintf("nothing recorded at %s; nearest recorded time %s",
			nr.At.Format(time.RFC3339), nr.Nearest.Format(time.RFC3339Nano))
	}
	return http.StatusInternalServerError, "could not start playback"
}

// startPlay starts a player for a WHEP viewer and returns the video and
// sound to attach and what stops it, or answers the refusal.
func (s *Server) startPlay(w http.ResponseWriter, cam *catalog.Camera, p *playRequest) (video, sound *webrtc.Stream, stop func(), ok bool) {
	if s.opts.Recordings == nil {
		writeError(w, http.StatusUnprocessableEntity, "nothing recorded for this camera")
		return nil, nil, nil, false
	}
	pl, err := playback.New(playback.Options{Store: s.opts.Recordings.Store(), Camera: cam.ID, Start: p.start,
		Speed: p.speed, Logger: s.log})
	if err != nil {
		code, msg := playStatus(err)
		writeError(w, code, msg)
		return nil, nil, nil, false
	}
	video, sound, closeTranscodes := cam.Playback(pl.Hub(), pl.AudioHub())
	return video, sound, sync.OnceFunc(func() {
		pl.Close()
		closeTranscodes()
	}), true
}

// playDetail is what the audit records of a playback view.
func playDetail(p *playRequest) map[string]any {
	if p == nil {
		return nil
	}
	return map[string]any{"mode": "playback", "start": p.start.UTC().Format(time.RFC3339Nano), "speed": p.speed}
}
