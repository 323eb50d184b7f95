//go:build !linux

package gctune

// memoryAvailable is not known here: TuneGC sets no memory limit.
func memoryAvailable() uint64 { return 0 }
