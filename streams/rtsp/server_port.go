package rtsp

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
)

// A server asked for "any port" (port 0) takes one below the kernel's
// ephemeral range. The kernel gives ports of that range to outgoing
// connections as their local port; a simulated camera that reboots binds
// its port again after a while down, and if meanwhile some connection
// (the gateway's store client, a browser, another test) took it as its
// local port, the camera could not come back: "address already in use".
// Below the range, only another listener can hold it, and the camera gets
// a port no other is using at the moment it starts.

const (
	lowestPickedPort   = 10000
	ephemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range"
	portPicks          = 200
)

// pickablePorts is the range a port is picked from: [lowestPickedPort,
// start of the ephemeral range). ok is false when there is no such range
// (another OS, or a range that starts too low): then the kernel picks.
func pickablePorts() (lo, hi int, ok bool) {
	data, err := os.ReadFile(ephemeralRangeFile)
	if err != nil {
		return 0, 0, false
	}
	var start, end int
	if _, err := fmt.Sscan(string(data), &start, &end); err != nil || start-lowestPickedPort < 1000 {
		return 0, 0, false
	}
	return lowestPickedPort, start, true
}

// listenTCPOutsideEphemeral listens on host at a port outside the
// ephemeral range, or at one the kernel picks when there is none free.
func listenTCPOutsideEphemeral(host string) (net.Listener, error) {
	if lo, hi, ok := pickablePorts(); ok {
		for range portPicks {
			port := lo + rand.IntN(hi-lo)
			if ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port))); err == nil {
				return ln, nil
			}
		}
	}
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}

// listenUDPPairOutsideEphemeral binds an even port outside the ephemeral
// range and the odd one above it, or a pair the kernel picks.
func listenUDPPairOutsideEphemeral(host string) (*net.UDPConn, *net.UDPConn, error) {
	if lo, hi, ok := pickablePorts(); ok {
		ip := net.ParseIP(host)
		for range portPicks {
			port := (lo + rand.IntN(hi-lo-1)) &^ 1
			a, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
			if err != nil {
				continue
			}
			b, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port + 1})
			if err != nil {
				a.Close()
				continue
			}
			return a, b, nil
		}
	}
	return serverListenUDPPair(host)
}
