"""Test doubles for devices that need a process or a pseudo-terminal."""
