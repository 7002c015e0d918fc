package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"vigil/gateway/clips"
)

// clipRequestJSON is the body of POST /api/clips.
type clipRequestJSON struct {
	Camera string `json:"camera"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// readClipRequest reads and parses the body of POST /api/clips.
func readClipRequest(w http.ResponseWriter, r *http.Request) (clips.Request, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return clips.Request{}, fmt.Errorf("request body larger than %d bytes", maxJSONBody)
	}
	if err != nil {
		return clips.Request{}, errors.New("could not read the request body")
	}
	return parseClipRequest(b)
}

// parseClipRequest decodes a clip request strictly (one JSON object, no
// unknown fields) and parses its times. The camera's existence, the
// range's sense and the reason are checked later (clips.Service.Start);
// here only the form.
func parseClipRequest(b []byte) (clips.Request, error) {
	var body clipRequestJSON
	if err := decodeStrict(bytes.NewReader(b), &body); err != nil {
		return clips.Request{}, err
	}
	if body.Camera == "" {
		return clips.Request{}, errors.New("camera is required")
	}
	req := clips.Request{Camera: body.Camera, Reason: body.Reason}
	var err error
	if req.From, err = parseTime("from", body.From); err != nil {
		return clips.Request{}, err
	}
	if req.To, err = parseTime("to", body.To); err != nil {
		return clips.Request{}, err
	}
	return req, nil
}

func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("%s is required (an RFC 3339 time, e.g. 2026-03-01T08:00:00+08:00)", name)
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time (e.g. 2026-03-01T08:00:00+08:00)", name)
	}
	return t, nil
}
