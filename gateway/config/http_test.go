package config

import (
	"testing"
	"time"
)

func TestHTTPDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(goodStation))
	if err != nil {
		t.Fatal(err)
	}
	want := HTTP{ReadHeaderTimeout: Duration(10 * time.Second), BodyTimeout: Duration(30 * time.Second),
		IdleTimeout: Duration(2 * time.Minute), FDReserve: 1024, MaxConnectionsPerIP: 256,
		MaxWHEPPerUser: 32, MaxConsolesPerUser: 8}
	if cfg.HTTP != want {
		t.Errorf("http = %+v, want %+v", cfg.HTTP, want)
	}
	if d := Demo().HTTP; d != want {
		t.Errorf("demo http = %+v", d)
	}
}

func TestHTTPValues(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(goodStation + "http: {body_timeout: 200ms, max_connections: 500, max_connections_per_ip: 2, max_whep_per_user: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := cfg.HTTP
	if h.BodyTimeout.Std() != 200*time.Millisecond || h.MaxConnections != 500 || h.MaxConnectionsPerIP != 2 ||
		h.MaxWHEPPerUser != 1 || h.MaxConsolesPerUser != DefaultMaxConsolesPerUser || h.IdleTimeout != DefaultIdleTimeout {
		t.Errorf("http = %+v", h)
	}
}

func TestHTTPBadValues(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"zero body timeout", goodStation + "http:\n  body_timeout: 0s\n", `line 8: http.body_timeout "0s": must be positive`},
		{"zero header timeout", goodStation + "http:\n  read_header_timeout: 0s\n", `http.read_header_timeout "0s": must be positive`},
		{"zero idle timeout", goodStation + "http:\n  idle_timeout: 0s\n", `http.idle_timeout "0s": must be positive`},
		{"negative max", goodStation + "http:\n  max_connections: -1\n", "line 8: http.max_connections: must not be negative"},
		{"negative reserve", goodStation + "http:\n  fd_reserve: -1\n", "http.fd_reserve: must not be negative"},
		{"zero per ip", goodStation + "http:\n  max_connections_per_ip: 0\n", "http.max_connections_per_ip: must be at least 1"},
		{"zero whep", goodStation + "http:\n  max_whep_per_user: 0\n", "http.max_whep_per_user: must be at least 1"},
		{"zero consoles", goodStation + "http:\n  max_consoles_per_user: 0\n", "http.max_consoles_per_user: must be at least 1"},
		{"unknown key", goodStation + "http:\n  write_timeout: 1s\n", "write_timeout"},
	})
}
