package netns

import (
	"net"
	"testing"
)

func TestLoopbackAlone(t *testing.T) {
	if !Loopback(t) {
		return
	}
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Flags&net.FlagUp == 0 || ifs[0].Flags&net.FlagMulticast == 0 {
		t.Fatalf("interfaces %v %v", ifs, err)
	}
}

func TestLoopbackForBrowserAddsAnInnerInterface(t *testing.T) {
	if !LoopbackForBrowser(t) {
		return
	}
	ifi, err := net.InterfaceByName("vigil0")
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := ifi.Addrs()
	if len(addrs) == 0 || addrs[0].String() != DummyAddr+"/24" {
		t.Fatalf("vigil0 addresses %v", addrs)
	}
}
