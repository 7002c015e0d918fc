package transcode

import (
	"strings"
	"sync"
)

// tail keeps the last lines ffmpeg wrote to stderr, so that the log can say
// why it exited. It is bounded: a chatty or broken ffmpeg never grows it
// beyond maxLines of maxLine bytes.
type tail struct {
	mu       sync.Mutex
	lines    []string // ring of the last complete lines
	next     int
	full     bool
	partial  []byte
	maxLines int
	maxLine  int
}

func newTail(maxLines, maxLine int) *tail {
	return &tail{lines: make([]string, maxLines), maxLines: maxLines, maxLine: maxLine}
}

// Write takes any chunking of the stream; it never fails, so that exec's
// copying goroutine keeps draining the pipe and ffmpeg never blocks on it.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range p {
		if b == '\n' || b == '\r' {
			t.endLine()
			continue
		}
		if len(t.partial) < t.maxLine {
			t.partial = append(t.partial, b)
		}
	}
	return len(p), nil
}

func (t *tail) endLine() {
	line := strings.TrimSpace(string(t.partial))
	t.partial = t.partial[:0]
	if line == "" {
		return
	}
	t.lines[t.next] = line
	t.next = (t.next + 1) % t.maxLines
	if t.next == 0 {
		t.full = true
	}
}

// String returns the kept lines, oldest first, joined by " | ", including an
// unterminated last line.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	if t.full {
		out = append(out, t.lines[t.next:]...)
	}
	out = append(out, t.lines[:t.next]...)
	if p := strings.TrimSpace(string(t.partial)); p != "" {
		out = append(out, p)
	}
	return strings.Join(out, " | ")
}
