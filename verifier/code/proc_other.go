//go:build !unix

package code

import (
	"errors"
	"syscall"
)

func supported() error {
	return errors.New("code: the sandbox needs a Unix system (process groups and resource limits)")
}

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
