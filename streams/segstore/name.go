package segstore

import (
	"fmt"
	"strings"
	"time"
)

// Ext is the file extension of a recorded segment.
const Ext = ".mp4"

// nameLayout makes names sort by time as plain strings (fixed width, UTC)
// and keeps them portable: no colons, which Windows shares refuse.
const nameLayout = "20060102T150405.000Z"

// FileName returns the file name of a segment starting at start, e.g.
// 20261129T140000.123Z.mp4. The name is the only place the segment's wall
// clock start is stored, so it keeps millisecond precision.
func FileName(start time.Time) string {
	return start.UTC().Format(nameLayout) + Ext
}

// StartOf truncates t to what FileName keeps, so a recorder can use the
// same start time the index will later read back from the name.
func StartOf(t time.Time) time.Time {
	return t.Round(0).UTC().Truncate(time.Millisecond)
}

// ParseFileName returns the start time a segment file name encodes. Only
// names FileName produces are accepted: anything else in a camera's
// directory (temporary files, operator copies) is not a segment.
func ParseFileName(name string) (time.Time, error) {
	base, ok := strings.CutSuffix(name, Ext)
	if !ok || len(base) != len(nameLayout) {
		return time.Time{}, fmt.Errorf("segstore: %q is not a segment name", name)
	}
	t, err := time.Parse(nameLayout, base)
	if err != nil {
		return time.Time{}, fmt.Errorf("segstore: %q is not a segment name: %w", name, err)
	}
	if FileName(t) != name {
		return time.Time{}, fmt.Errorf("segstore: %q is not a canonical segment name", name)
	}
	return t, nil
}

// ChainExt is the extension of a segment's fragment-hash sidecar.
const ChainExt = ".chain"

// ChainPath returns the fragment-hash sidecar of a segment:
// 20261129T140000.123Z.mp4 -> 20261129T140000.123Z.chain.
func ChainPath(segment string) string { return strings.TrimSuffix(segment, Ext) + ChainExt }
