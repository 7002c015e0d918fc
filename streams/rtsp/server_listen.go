package rtsp

import (
	"fmt"
	"net"
)

// serverPrebound holds listeners bound before gortsplib starts. gortsplib
// wants explicit addresses (and an even/odd UDP pair), so the ports are
// resolved here and the very same sockets are handed over through its
// Listen hooks, leaving no window for another process to take them.
type serverPrebound struct {
	tcp       net.Listener
	rtp, rtcp *net.UDPConn
}

func serverPrebind(address string, udp bool) (*serverPrebound, error) {
	ln, err := listenTCP(address)
	if err != nil {
		return nil, fmt.Errorf("rtsp listen %s: %w", address, err)
	}
	pb := &serverPrebound{tcp: ln}
	if !udp {
		return pb, nil
	}
	host := ln.Addr().(*net.TCPAddr).IP.String()
	pb.rtp, pb.rtcp, err = listenUDPPairOutsideEphemeral(host)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return pb, nil
}

// listenTCP listens on address; port 0 is picked outside the ephemeral
// range (server_port.go).
func listenTCP(address string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil || port != "0" {
		return net.Listen("tcp", address)
	}
	return listenTCPOutsideEphemeral(host)
}

// serverListenUDPPair binds an even port and the odd one above it.
func serverListenUDPPair(host string) (*net.UDPConn, *net.UDPConn, error) {
	for range 100 {
		a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
		if err != nil {
			return nil, nil, fmt.Errorf("rtsp udp listen: %w", err)
		}
		port := a.LocalAddr().(*net.UDPAddr).Port
		if port%2 != 0 || port == 65535 {
			a.Close()
			continue
		}
		b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host), Port: port + 1})
		if err != nil {
			a.Close()
			continue
		}
		return a, b, nil
	}
	return nil, nil, fmt.Errorf("rtsp udp: no free even/odd port pair on %s", host)
}

// listen gives gortsplib the prebound TCP listener, or binds anew (after
// a Stop, on the same address).
func (pb *serverPrebound) listen(network, address string) (net.Listener, error) {
	if pb.tcp != nil && sameAddr(pb.tcp.Addr(), address) {
		ln := pb.tcp
		pb.tcp = nil
		return ln, nil
	}
	return net.Listen(network, address)
}

func (pb *serverPrebound) listenPacket(network, address string) (net.PacketConn, error) {
	for _, c := range []**net.UDPConn{&pb.rtp, &pb.rtcp} {
		if *c != nil && sameAddr((*c).LocalAddr(), address) {
			conn := *c
			*c = nil
			return conn, nil
		}
	}
	return net.ListenPacket(network, address)
}

func sameAddr(a net.Addr, address string) bool {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	_, p2, _ := net.SplitHostPort(a.String())
	return port == p2 && port != "0"
}

// close releases whatever gortsplib did not take.
func (pb *serverPrebound) close() {
	if pb.tcp != nil {
		pb.tcp.Close()
	}
	for _, c := range []*net.UDPConn{pb.rtp, pb.rtcp} {
		if c != nil {
			c.Close()
		}
	}
}
