package code

import "syscall"

// sysProcAttr puts a program in its own process group, and has the kernel
// kill it if the thread that started it dies with this process.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
