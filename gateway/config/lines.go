package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// indexBudget bounds how many nodes indexLines visits: aliases can make a
// small document expand enormously ("billion laughs"), and line numbers are a
// convenience, not worth unbounded work.
const indexBudget = 100_000

// keyAt identifies a mapping key by its line and text.
type keyAt struct {
	line int
	key  string
}

// scalarPos is a scalar value and the key path it sits at.
type scalarPos struct {
	path  string
	value string
}

// lineIndex remembers where each key path of a YAML document was written.
type lineIndex struct {
	paths   map[string]int      // key path → line
	keys    map[keyAt]string    // mapping key at a line → key path
	scalars map[int][]scalarPos // line → scalar values on it
	budget  int
	depth   int
}

// maxDepth bounds nesting; a config is a handful of levels deep, and
// self-referencing aliases ("a: &a [*a]") would otherwise recurse until the
// budget runs out while building ever longer paths.
const maxDepth = 32

func indexLines(root *yaml.Node) *lineIndex {
	ix := &lineIndex{
		paths:   map[string]int{},
		keys:    map[keyAt]string{},
		scalars: map[int][]scalarPos{},
		budget:  indexBudget,
	}
	ix.walk(root, "")
	return ix
}

func (ix *lineIndex) walk(n *yaml.Node, path string) {
	if n == nil || ix.budget <= 0 || ix.depth >= maxDepth {
		return
	}
	ix.budget--
	ix.depth++
	defer func() { ix.depth-- }()
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			ix.walk(c, path)
		}
	case yaml.MappingNode:
		ix.walkMapping(n, path)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			ix.record(p, c.Line)
			ix.walk(c, p)
		}
	case yaml.ScalarNode:
		ix.scalars[n.Line] = append(ix.scalars[n.Line], scalarPos{path, n.Value})
	case yaml.AliasNode:
		ix.walk(n.Alias, path)
	}
}

func (ix *lineIndex) walkMapping(n *yaml.Node, path string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.Tag == "!!merge" {
			// Merged keys belong to this mapping's path.
			ix.walkMerge(v, path)
			continue
		}
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		ix.record(p, k.Line)
		if _, ok := ix.keys[keyAt{k.Line, k.Value}]; !ok {
			ix.keys[keyAt{k.Line, k.Value}] = p
		}
		ix.walk(v, p)
	}
}

func (ix *lineIndex) walkMerge(v *yaml.Node, path string) {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v != nil && v.Kind == yaml.SequenceNode {
		for _, c := range v.Content {
			ix.walk(c, path)
		}
		return
	}
	ix.walk(v, path)
}

func (ix *lineIndex) record(path string, line int) {
	if _, ok := ix.paths[path]; !ok {
		ix.paths[path] = line
	}
}

// scalarAt guesses which key path a decode error on a line refers to: the
// only scalar on the line, or the one whose value the message quotes.
func (ix *lineIndex) scalarAt(line int, msg string) string {
	cands := ix.scalars[line]
	if len(cands) == 1 {
		return cands[0].path
	}
	for _, c := range cands {
		if c.value == "" {
			continue
		}
		short := c.value
		if len(short) > 7 {
			short = short[:7] // yaml.v3 abbreviates long values in messages
		}
		if strings.Contains(msg, strconv.Quote(c.value)) || strings.Contains(msg, "`"+short) {
			return c.path
		}
	}
	return ""
}

// lineOf returns the line of path or of its nearest recorded ancestor, so a
// missing key is reported at the item it is missing from.
func lineOf(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
	return 0
}
