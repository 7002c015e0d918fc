package gateway

// Wait blocks until the gateway can no longer serve, or until Close.
// It returns the terminal error, as gortsplib's Server.Wait does: why the
// HTTP server stopped on its own (its listener failed), nil after Close.
// A gateway that stopped serving still runs its cameras and recorders;
// the owner decides what follows (vigil shuts down and exits non-zero,
// so the supervisor restarts it).
func (g *Gateway) Wait() error {
	<-g.served
	return g.serveErr
}
