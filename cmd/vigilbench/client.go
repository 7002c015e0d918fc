package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"vigil/streams/webrtc/webrtctest"
)

func waitHTTP(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within %v", url, within)
}

func login(base string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": benchPassword})
	resp, err := http.Post(base+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login: %s", resp.Status)
	}
	return out.Token, nil
}

// openWHEP starts one WHEP viewer of camera.
func openWHEP(base, token, camera, quality string) (*webrtctest.Receiver, error) {
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/whep/"+camera+"?quality="+quality, strings.NewReader(offer))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rx.Close()
		return nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		rx.Close()
		return nil, fmt.Errorf("whep %s: %s %s", camera, resp.Status, answer)
	}
	if err := rx.Accept(string(answer)); err != nil {
		rx.Close()
		return nil, err
	}
	return rx, nil
}
