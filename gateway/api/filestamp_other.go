//go:build !linux

package api

import "os"

// fileStamp identifies one version of a file by size and mtime (the Linux
// build adds device, inode and ctime).
type fileStamp struct {
	size    int64
	mtimeNs int64
}

func stampOf(fi os.FileInfo) fileStamp {
	return fileStamp{size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
}
