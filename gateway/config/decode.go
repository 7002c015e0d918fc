package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes data into cfg, refusing unknown keys, and records the
// line of every key path so later validation errors can point at it.
func decodeStrict(data []byte, cfg *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return syntaxError(err)
	}
	ix := indexLines(&root)
	cfg.lines = ix.paths

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) { // io.EOF: empty document
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(err)
	}
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		errs = append(errs, ix.locate(msg))
	}
	return errors.Join(errs...)
}

var (
	lineMsgRe   = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownRe   = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	unmarshalRe = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `.*`)? into (\\S+)$")
)

// syntaxError turns yaml.v3's "yaml: line 3: ..." into the package's form.
func syntaxError(err error) error {
	if m := lineMsgRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

// locate rewrites one of yaml.v3's type error messages ("line 5: field foo
// not found in type config.Camera") into an Error carrying the key path.
func (ix *lineIndex) locate(msg string) error {
	m := lineMsgRe.FindStringSubmatch(msg)
	if m == nil {
		return &Error{Msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	if u := unknownRe.FindStringSubmatch(rest); u != nil {
		path := ix.keys[keyAt{line, u[1]}]
		if path == "" {
			path = u[1]
		}
		return &Error{Line: line, Path: path, Msg: "unknown key"}
	}
	e := &Error{Line: line, Path: ix.scalarAt(line, rest), Msg: rest}
	if u := unmarshalRe.FindStringSubmatch(rest); u != nil {
		e.Msg = fmt.Sprintf("expected %s, got %s", goTypeWord(u[2]), yamlTagWord(u[1]))
	}
	return e
}

// goTypeWord describes a Go target type in the operator's terms.
func goTypeWord(t string) string {
	t = strings.TrimPrefix(t, "*")
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	default:
		return "a mapping of keys"
	}
}

func yamlTagWord(tag string) string {
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!str":
		return "a string"
	case "!!int":
		return "a number"
	case "!!float":
		return "a decimal number"
	case "!!bool":
		return "a boolean"
	default:
		return tag
	}
}
