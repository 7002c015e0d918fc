package store

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// column is what must agree between the two engines' schemas.
type column struct {
	Table, Name, Kind string
	NotNull           bool
}

// TestSchemasAgree checks that SQLite's and PostgreSQL's migrations give
// the same tables and columns, with types of the same kind: the
// repository code is shared, so a column missing on one side, or a
// 32-bit integer where milliseconds are kept, would break only there.
func TestSchemasAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if len(sqliteMigrations) != len(postgresMigrations) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(sqliteMigrations), len(postgresMigrations))
	}
	lite, _ := testDBs[0].open(t)
	pg, _ := testDBs[1].open(t)
	want := sqliteColumns(t, ctx, lite)
	got := postgresColumns(t, ctx, pg)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", want, got)
	}
}

func sqliteColumns(t *testing.T, ctx context.Context, s *Store) []column {
	tables, err := queryAll(ctx, s, "tables", func(r scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	}, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []column
	for _, table := range tables {
		rows, err := queryAll(ctx, s, "columns", func(r scanner) (column, error) {
			var (
				cid, notNull, pk int
				name, typ        string
				def              any
			)
			err := r.Scan(&cid, &name, &typ, &notNull, &def, &pk)
			return column{table, name, kindOf(typ), notNull == 1 || pk == 1}, err
		}, fmt.Sprintf(`PRAGMA table_info(%q)`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, rows...)
	}
	sortColumns(cols)
	return cols
}

func postgresColumns(t *testing.T, ctx context.Context, s *Store) []column {
	cols, err := queryAll(ctx, s, "columns", func(r scanner) (column, error) {
		var c column
		var typ, nullable string
		err := r.Scan(&c.Table, &c.Name, &typ, &nullable)
		c.Kind, c.NotNull = kindOf(typ), nullable == "NO"
		return c, err
	}, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	sortColumns(cols)
	return cols
}

// kindOf maps both engines' type names onto the kinds the code relies on.
func kindOf(typ string) string {
	switch t := strings.ToUpper(typ); {
	case strings.Contains(t, "INT"):
		return "integer"
	case t == "REAL" || strings.Contains(t, "DOUBLE"):
		return "float"
	case t == "TEXT":
		return "text"
	default:
		return "other:" + t
	}
}

func sortColumns(cols []column) {
	sort.Slice(cols, func(i, j int) bool {
		if cols[i].Table != cols[j].Table {
			return cols[i].Table < cols[j].Table
		}
		return cols[i].Name < cols[j].Name
	})
}
