package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
)

func TestRunRejectsFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-cameras", "0"}, {"-user", "u"}, {"extra"}, {"-nope"},
	} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-cameras", "2"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	cancel()
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain until run returns
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !strings.Contains(lines[2], "/cam1 ") || !strings.HasSuffix(lines[2], "/cam1/sub") {
		t.Fatalf("output %q", lines)
	}
}
