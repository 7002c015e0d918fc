// Package ids holds the one form of a station, camera, wall and tour id
// (DESIGN.md: 1-64 characters of a-z, 0-9 and -). The gateway checks ids
// with Valid, simulated cameras name their paths with it, and the console
// gets Pattern from the gateway (webui serves it as assets/idrule.js), so
// nothing else spells the rule out.
//
// It imports nothing of the project, so streams and gateway packages alike
// may use it.
package ids

import "regexp"

// Pattern is the id rule as a regular expression whose syntax Go and
// JavaScript read alike.
const Pattern = `^[a-z0-9-]{1,64}$`

// Rule says Pattern in words, for error messages.
const Rule = "must be 1-64 chars of a-z, 0-9, -"

var re = regexp.MustCompile(Pattern)

// Valid reports whether s is a valid station, camera, wall or tour id.
func Valid(s string) bool { return re.MatchString(s) }
