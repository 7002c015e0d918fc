package api

import (
	"net/http/httptest"
	"testing"
)

func TestCheckOrigin(t *testing.T) {
	tests := []struct {
		method, origin, fetchSite string
		upgrade                   bool
		cred                      credential
		ok                        bool
	}{
		{"POST", "http://gw.example:8080", "", false, credCookie, true},
		{"POST", "http://GW.example:8080", "", false, credCookie, true},
		{"POST", "http://gw.example:8081", "", false, credCookie, false},
		{"POST", "http://evil.example", "", false, credCookie, false},
		{"POST", "null", "", false, credCookie, false},
		{"POST", "http://gw.example:8080/path", "", false, credCookie, false},
		{"DELETE", "", "", false, credCookie, false},
		{"PUT", "", "same-origin", false, credCookie, true},
		{"PATCH", "", "same-site", false, credCookie, false},
		{"GET", "", "", false, credCookie, true},
		{"GET", "http://evil.example", "", false, credCookie, false},
		{"GET", "", "", true, credCookie, false},
		{"GET", "http://gw.example:8080", "", true, credCookie, true},
		{"POST", "http://evil.example", "", false, credBearer, true},
		{"GET", "", "", true, credBearer, true},
		{"POST", "http://evil.example", "", false, credNone, false},
		{"POST", "", "", false, credNone, true},
		{"GET", "http://evil.example", "", false, credNone, true},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://gw.example:8080/api/x", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if tt.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
		}
		if tt.upgrade {
			r.Header.Set("Upgrade", "websocket")
		}
		if err := checkOrigin(r, tt.cred); (err == nil) != tt.ok {
			t.Errorf("%s origin %q fetch %q upgrade %v cred %d: %v, want ok %v", tt.method, tt.origin, tt.fetchSite, tt.upgrade, tt.cred, err, tt.ok)
		}
	}
	// Default ports are the same origin with or without the number.
	r := httptest.NewRequest("POST", "https://gw.example/api/x", nil)
	r.Host = "gw.example:443"
	if !sameOrigin("https://gw.example", r) {
		t.Error("https default port")
	}
}
