package webui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"vigil/internal/ids"
)

// generated holds the modules the gateway writes from its own Go rules
// instead of shipping a JavaScript copy that could drift from them. They
// are served beside the embedded assets (under the same version) and win
// over a file of the same name.
var generated = map[string][]byte{
	"assets/idrule.js": idRuleModule(ids.Pattern),
}

// idRuleModule writes the id rule as an ES module. A JSON string is a
// JavaScript string literal, and ids.Pattern's syntax means the same in
// both languages.
func idRuleModule(pattern string) []byte {
	quoted, err := json.Marshal(pattern)
	if err != nil {
		panic(err) // a string always marshals
	}
	return fmt.Appendf(nil, `// Written by the gateway from vigil/internal/ids.Pattern: the one form of
// a station, camera, wall and tour id (DESIGN.md).
export const idPattern = new RegExp(%s);
`, quoted)
}

// readFile reads a console file: a generated module, or else one of fsys.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	if data, ok := generated[name]; ok {
		return data, nil
	}
	return fs.ReadFile(fsys, name)
}

// generatedNames lists the generated modules in a fixed order, so the
// site's version hash is the same on every start.
func generatedNames() []string {
	return slices.Sorted(maps.Keys(generated))
}
