// Package webrtc serves hub streams to WebRTC viewers with pion. A Session
// is one peer connection; each of its Feeds is one outgoing video track fed
// by a hub reader, which can be switched to another camera without
// renegotiation. The package knows nothing of HTTP or signaling transport:
// it takes an SDP offer and returns an answer.
package webrtc

import (
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// EngineOptions configure the WebRTC engine shared by all sessions.
type EngineOptions struct {
	// UDPAddr is the one UDP port for all ICE traffic, e.g. ":8189".
	UDPAddr string
	// TCPAddr is the ICE-TCP fallback, e.g. ":8189"; empty disables it.
	TCPAddr string
	// PublicIPs are announced instead of local addresses (1:1 NAT).
	PublicIPs []string
	// LoopbackOnly restricts candidates to 127.0.0.1 (tests, benchmarks).
	LoopbackOnly bool
	Logger       *slog.Logger
}

// Engine owns the ICE sockets and the pion API every session is built with.
type Engine struct {
	api  *webrtc.API
	udp  net.PacketConn
	tcp  net.Listener
	log  *slog.Logger
	muxs []interface{ Close() error }
	// batch sends the packets of a video frame to a viewer in one go.
	batch *batchConn
}

// NewEngine opens the ICE sockets.
func NewEngine(opts EngineOptions) (*Engine, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{log: log}
	if err := e.listen(opts); err != nil {
		e.Close()
		return nil, err
	}
	api, err := e.newAPI(opts)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.api = api
	return e, nil
}

func (e *Engine) listen(opts EngineOptions) error {
	if opts.UDPAddr == "" {
		return errors.New("webrtc: a UDP address is required")
	}
	udp, err := net.ListenPacket("udp", opts.UDPAddr)
	if err != nil {
		return fmt.Errorf("webrtc: listen udp %s: %w", opts.UDPAddr, err)
	}
	e.udp = udp
	if opts.TCPAddr != "" {
		tcp, err := net.Listen("tcp", opts.TCPAddr)
		if err != nil {
			return fmt.Errorf("webrtc: listen tcp %s: %w", opts.TCPAddr, err)
		}
		e.tcp = tcp
	}
	return nil
}

func (e *Engine) newAPI(opts EngineOptions) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		return nil, err
	}
	reg, err := registerInterceptors(me)
	if err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{LoggerFactory: pionLogs{log: e.log}}
	var sock net.PacketConn = e.udp
	if uc, ok := e.udp.(*net.UDPConn); ok {
		e.batch = newBatchConn(uc)
		sock = e.batch
	}
	udpMux := webrtc.NewICEUDPMux(se.LoggerFactory.NewLogger("udpmux"), sock)
	se.SetICEUDPMux(udpMux)
	e.muxs = append(e.muxs, udpMux)
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if e.tcp != nil {
		tcpMux := webrtc.NewICETCPMux(se.LoggerFactory.NewLogger("tcpmux"), e.tcp, 64)
		se.SetICETCPMux(tcpMux)
		e.muxs = append(e.muxs, tcpMux)
		networks = append(networks, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	se.SetNetworkTypes(networks)
	se.SetICETimeouts(iceDisconnectedTimeout, iceFailedTimeout, iceKeepalive)
	// No mDNS sockets and goroutines per peer connection for a browser's
	// ".local" candidates: its checks teach us its address (prflx).
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if len(opts.PublicIPs) > 0 {
		se.SetNAT1To1IPs(opts.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	if opts.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	} else if isLoopback(e.udp.LocalAddr()) {
		se.SetIncludeLoopbackCandidate(true)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// registerInterceptors registers none of pion's interceptors: the feeds
// answer NACKs and send sender reports themselves (sent_log.go), nothing
// calls GetStats, and vigil sends each camera at the camera's own bitrate,
// so it asks viewers for no transport-wide congestion feedback (TWCC): a
// sequence number in every packet's header and a feedback packet from
// every viewer every 100 ms, for an estimate nothing would read. Without
// it, fan-out took 0.235 and 0.265 cores against 0.268 and 0.279 in a
// side-by-side run. Viewers estimate with REMB instead, if at all.
func registerInterceptors(me *webrtc.MediaEngine) (*interceptor.Registry, error) {
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(me); err != nil {
		return nil, err
	}
	return reg, nil
}

func isLoopback(a net.Addr) bool {
	ua, ok := a.(*net.UDPAddr)
	return ok && ua.IP.IsLoopback()
}

// UDPAddr returns the bound ICE UDP address.
func (e *Engine) UDPAddr() net.Addr { return e.udp.LocalAddr() }

// Close closes the ICE sockets. Sessions must be closed first.
func (e *Engine) Close() error {
	for _, m := range e.muxs {
		m.Close()
	}
	if e.tcp != nil {
		e.tcp.Close()
	}
	if e.batch != nil {
		e.batch.stop()
	}
	if e.udp != nil {
		e.udp.Close()
	}
	return nil
}
