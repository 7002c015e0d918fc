package cluster

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
)

// BenchmarkStoreLoad measures what a cluster's membership asks of
// PostgreSQL: 5 station nodes owning 200 cameras each (1,000 cameras) and
// a central node, for b.N seconds at the default periods, counted by the
// server (pg_stat_database: transactions and rows written and read per
// second), so the figure does not depend on how busy this machine is.
//
//	go test -run X -bench StoreLoad -benchtime 10x ./gateway/cluster/
func BenchmarkStoreLoad(b *testing.B) {
	url := storetest.FreshDatabase(b)
	ctx := context.Background()
	const stations, perStation = 5, 200
	var members []*Member
	for s := range stations {
		node := fmt.Sprintf("st%d-1", s)
		eligible := map[string][]string{}
		for c := range perStation {
			eligible[fmt.Sprintf("st%d-cam-%03d", s, c)] = []string{node}
		}
		members = append(members, joinForBench(b, url, node, eligible))
	}
	members = append(members, joinForBench(b, url, "center", nil))
	defer func() {
		for _, m := range members {
			m.Close()
		}
	}()
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	waitOwned(b, db, stations*perStation)
	before := pgStats(b, ctx, db)
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		<-time.After(time.Second)
	}
	b.StopTimer()
	after := pgStats(b, ctx, db)
	secs := time.Since(start).Seconds()
	var steps int64
	for _, m := range members {
		steps += m.steps.Load()
	}
	b.ReportMetric(float64(steps)/secs, "steps(total)/s")
	b.ReportMetric(float64(after.commits-before.commits)/secs, "tx/s")
	b.ReportMetric(float64(after.written-before.written)/secs, "rows-written/s")
	b.ReportMetric(float64(after.read-before.read)/secs, "rows-read/s")
}

type pgCounts struct{ commits, written, read int64 }

func pgStats(b *testing.B, ctx context.Context, db *sql.DB) pgCounts {
	// The statistics collector publishes with a delay: ask for a fresh view.
	db.ExecContext(ctx, `SELECT pg_stat_clear_snapshot()`)
	var c pgCounts
	err := db.QueryRowContext(ctx, `SELECT xact_commit, tup_inserted + tup_updated + tup_deleted, tup_returned + tup_fetched
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.commits, &c.written, &c.read)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func joinForBench(b *testing.B, url, node string, eligible map[string][]string) *Member {
	st, err := store.OpenPostgres(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	m, err := Join(context.Background(), Options{Store: st, Node: node, Eligible: eligible})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func waitOwned(b *testing.B, db *sql.DB, n int) {
	for {
		var got int
		db.QueryRow(`SELECT COUNT(*) FROM camera_leases`).Scan(&got)
		if got >= n {
			return
		}
		<-time.After(100 * time.Millisecond)
	}
}
