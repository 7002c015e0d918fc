package gateway

// BreakListener closes the console's listener under the HTTP server, as a
// failed socket would: the server stops on its own.
func BreakListener(g *Gateway) { g.listener.Close() }
