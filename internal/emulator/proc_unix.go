//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts the child in its own process group (so killGroup reaches
// it and its children, and a terminal's Ctrl-C does not). Only Linux can also
// tie the child's life to ours.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup sends SIGKILL to the process group whose ID is pgid.
func killGroup(pgid int) error { return syscall.Kill(-pgid, syscall.SIGKILL) }
