package searchkey

import (
	"slices"
	"strings"
	"testing"
)

func TestFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []string
		want []string
	}{
		{[]string{"站台 1"}, []string{"zhantai1", "zt1"}},
		{[]string{"北广场 2", "北广场"}, []string{"beiguangchang2", "bgc2", "beiguangchang", "bgc"}},
		{[]string{"候车大厅 A-3"}, []string{"houchedatinga3", "hcdta3"}},
		{[]string{"Gate 7", ""}, []string{}},
		{[]string{"东进站口", "东进站口"}, []string{"dongjinzhankou", "djzk"}},
	} {
		got := For(tc.in...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("For(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestQueriesFindPlatform is the console's match: the query without spaces,
// lower-cased, as a substring of a key.
func TestQueriesFindPlatform(t *testing.T) {
	t.Parallel()
	keys := For("站台 1", "站台")
	for _, q := range []string{"zt", "zhantai", "zhan tai", "ZT1", "tai1"} {
		q = strings.ToLower(strings.ReplaceAll(q, " ", ""))
		if !slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, q) }) {
			t.Errorf("%q does not find 站台 1 (keys %q)", q, keys)
		}
	}
	if slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "bgc") }) {
		t.Error("bgc finds 站台")
	}
}

func FuzzFor(f *testing.F) {
	for _, s := range []string{"站台 1", "北京西站", "Gate 7", "𠀀", "\xff", "候车大厅 A-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range For(s) {
			if k == "" || k != strings.ToLower(k) || strings.ContainsAny(k, " \t-") {
				t.Fatalf("For(%q) gave key %q", s, k)
			}
		}
	})
}
