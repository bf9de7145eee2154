package emulator

import "syscall"

// sysProcAttr puts the child in its own process group (so killGroup reaches
// it and its children, and a terminal's Ctrl-C does not) and has the kernel
// SIGKILL it if the thread that started it dies (see the package doc).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup sends SIGKILL to the process group whose ID is pgid.
func killGroup(pgid int) error { return syscall.Kill(-pgid, syscall.SIGKILL) }
