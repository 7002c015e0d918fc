package api

import (
	"os"
	"syscall"
)

// fileStamp identifies one version of a file: the same path replaced by
// another file (device, inode), or the same file written to (size, mtime,
// and ctime, which a writer cannot set back), gives another stamp.
type fileStamp struct {
	dev, ino         uint64
	size             int64
	mtimeNs, ctimeNs int64
}

func stampOf(fi os.FileInfo) fileStamp {
	st := fileStamp{size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.dev, st.ino = uint64(sys.Dev), sys.Ino
		st.ctimeNs = sys.Ctim.Nano()
	}
	return st
}
