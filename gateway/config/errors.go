package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config, located by line and key path, e.g.
// `line 12: stations[0].cameras[1].id "BJX 1": must be 1-64 chars of a-z, 0-9, -`.
// Parse and Validate return several of them joined with errors.Join; use
// errors.As to get at the first.
type Error struct {
	Line  int    // 1-based; 0 when the key is not in the file
	Path  string // key path such as stations[0].cameras[1].id
	Value string // offending value, quoted in the message; never a secret
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Value != "" {
			fmt.Fprintf(&b, " %q", e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}
