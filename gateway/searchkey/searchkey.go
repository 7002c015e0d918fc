// Package searchkey makes the keys by which a dispatcher finds a camera
// with a Latin keyboard: each Chinese name's full pinyin and its initials,
// "站台 1" → "zhantai1" and "zt1". The console matches a query with its
// spaces removed as a substring of a key, so "zt", "zhantai", "zhan tai"
// and "tai1" all find 站台 1.
package searchkey

import (
	"slices"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// args: toneless pinyin, the most common reading of each character.
var args = pinyin.NewArgs()

// For returns the keys of texts: for each text holding Chinese, its full
// pinyin and its initials, lower-case, with letters and digits of other
// scripts kept and everything else dropped. Texts without Chinese give no
// key (the console matches them as they are). Duplicates are dropped.
func For(texts ...string) []string {
	keys := []string{}
	for _, text := range texts {
		full, initials, han := keysOf(text)
		if !han {
			continue
		}
		for _, k := range []string{full, initials} {
			if k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func keysOf(text string) (full, initials string, han bool) {
	var f, in strings.Builder
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			py := pinyin.SinglePinyin(r, args)
			if len(py) == 0 || py[0] == "" {
				continue // a character the dictionary lacks: no key for it
			}
			han = true
			f.WriteString(py[0])
			in.WriteByte(py[0][0])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			lower := string(unicode.ToLower(r))
			f.WriteString(lower)
			in.WriteString(lower)
		}
	}
	return f.String(), in.String(), han
}
