package gateway_test

import (
	"testing"

	"vigil/gateway/store/storetest"
)

// TestMain stops the private PostgreSQL server the cluster tests may start.
func TestMain(m *testing.M) { storetest.Main(m) }
