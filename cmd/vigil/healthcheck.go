package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runHealthcheck is `vigil healthcheck [-timeout D] [URL]`: exit 0 when URL
// (default the local /healthz) answers 200. The container image has no
// curl or wget; its HEALTHCHECK runs this.
func runHealthcheck(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("vigil healthcheck", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url := "http://127.0.0.1:8080/healthz"
	switch fs.NArg() {
	case 0:
	case 1:
		url = fs.Arg(0)
	default:
		return errors.New("usage: vigil healthcheck [-timeout D] [URL]")
	}
	client := &http.Client{Timeout: *timeout}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: %s", url, resp.Status)
	}
	fmt.Fprintln(out, "healthy")
	return nil
}
