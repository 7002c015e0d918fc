//go:build !unix

package gateway

// openFileLimit is unknown outside Unix: only http.max_connections caps.
func openFileLimit() int { return 0 }
