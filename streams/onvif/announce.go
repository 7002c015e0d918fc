package onvif

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
)

// AnnouncerOptions describe the device a Responder answers probes for.
type AnnouncerOptions struct {
	// Group is the multicast address to join; default DiscoveryAddr.
	Group string
	// Interface to join on; "" lets the system pick.
	Interface string
	// Address is the endpoint reference (urn:uuid:…); default a new one.
	Address      string
	Name         string
	Manufacturer string
	Model        string
	XAddrs       []string
}

// Announcer answers WS-Discovery probes as a device does (camsim uses it).
type Announcer struct {
	o    AnnouncerOptions
	conn *net.UDPConn
	wg   sync.WaitGroup
}

// NewAnnouncer joins the group and answers until Close.
func NewAnnouncer(o AnnouncerOptions) (*Announcer, error) {
	if o.Group == "" {
		o.Group = DiscoveryAddr
	}
	if o.Address == "" {
		o.Address = "urn:uuid:" + newUUID()
	}
	group, err := net.ResolveUDPAddr("udp4", o.Group)
	if err != nil {
		return nil, fmt.Errorf("onvif announcer: %w", err)
	}
	var ifi *net.Interface
	if o.Interface != "" {
		if ifi, err = net.InterfaceByName(o.Interface); err != nil {
			return nil, fmt.Errorf("onvif announcer: %w", err)
		}
	}
	conn, err := net.ListenMulticastUDP("udp4", ifi, group)
	if err != nil {
		return nil, fmt.Errorf("onvif announcer: joining %s: %w", o.Group, err)
	}
	a := &Announcer{o: o, conn: conn}
	a.wg.Add(1)
	go a.run()
	return a, nil
}

// Address is the endpoint reference announced.
func (a *Announcer) Address() string { return a.o.Address }

// Close stops answering and waits for the reader.
func (a *Announcer) Close() error {
	err := a.conn.Close()
	a.wg.Wait()
	return err
}

func (a *Announcer) run() {
	defer a.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := a.conn.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		req, err := ReadRequest(buf[:n])
		if err != nil || req.Op != "Probe" || !wantsVideo(req.Fields["Types"]) {
			continue
		}
		_, _ = a.conn.WriteToUDP([]byte(a.match(req.Fields["MessageID"])), from)
	}
}

// wantsVideo: a probe for no type or for NetworkVideoTransmitter.
func wantsVideo(types string) bool {
	return types == "" || strings.Contains(types, "NetworkVideoTransmitter")
}

func (a *Announcer) match(relatesTo string) string {
	scopes := []string{"onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/Profile/Streaming"}
	for k, v := range map[string]string{"name": a.o.Name, "hardware": a.o.Model, "mfr": a.o.Manufacturer} {
		if v != "" {
			scopes = append(scopes, "onvif://www.onvif.org/"+k+"/"+url.PathEscape(v))
		}
	}
	return `<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="` + nsSOAP + `" xmlns:w="` + nsAddressing +
		`" xmlns:d="` + nsDiscovery + `" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>` +
		`<w:MessageID>uuid:` + newUUID() + `</w:MessageID><w:RelatesTo>` + escape(relatesTo) + `</w:RelatesTo>` +
		`<w:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</w:To>` +
		`<w:Action>` + nsDiscovery + `/ProbeMatches</w:Action></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch>` +
		`<w:EndpointReference><w:Address>` + escape(a.o.Address) + `</w:Address></w:EndpointReference>` +
		`<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>` + escape(strings.Join(scopes, " ")) + `</d:Scopes>` +
		`<d:XAddrs>` + escape(strings.Join(a.o.XAddrs, " ")) + `</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
		`</d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>`
}
