package rtsp

import (
	"context"
	"net"
	"net/url"
)

// Probe checks whether anything answers on the camera's RTSP port: a TCP
// connect and nothing more. It is cheap enough to run every second while a
// camera is down, so a rebooted camera is noticed at once.
func Probe(ctx context.Context, rawURL string) error {
	addr, err := HostPort(rawURL)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return classify(err)
	}
	return conn.Close()
}

// HostPort returns the host:port an RTSP URL connects to, with the default
// port of its scheme.
func HostPort(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", ErrBadURL
	}
	if u.Port() != "" {
		return u.Host, nil
	}
	port := "554"
	if u.Scheme == "rtsps" {
		port = "322"
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}
