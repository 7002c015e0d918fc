package relay

import (
	"strings"

	"vigil/internal/ids"
)

// subSuffix ends the path of a camera's sub stream.
const subSuffix = "/sub"

// parsePath splits a relay path ("bjx-nsq-01" or "bjx-nsq-01/sub", no
// leading slash) into the camera id and the stream. Whether the camera
// exists is Lookup's answer; this only refuses what cannot be an id.
func parsePath(path string) (camera string, sub bool, ok bool) {
	camera, sub = strings.CutSuffix(path, subSuffix)
	if !ids.Valid(camera) {
		return "", false, false
	}
	return camera, sub, true
}

// Path returns the relay path of a camera's stream.
func Path(camera string, sub bool) string {
	if sub {
		return camera + subSuffix
	}
	return camera
}
