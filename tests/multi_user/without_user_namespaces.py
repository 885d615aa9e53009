"""Run a command as an account, in a user namespace where no further one can be created.

    python without_user_namespaces.py UID GID COMMAND...      (as root)

As a machine that refuses unprivileged user namespaces would: the limit
(``/proc/sys/user/max_user_namespaces``) is set to 0 in a user namespace of this command's
own, so nothing outside it is affected. Root and the account keep their own ids there.
"""

import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000


def main() -> None:
    uid, gid, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()
    child = os.fork()
    if child == 0:
        if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWUSER) != 0:
            os._exit(99)
        os.write(ready_write, b"x")
        os.read(go_read, 1)  # the parent has written this namespace's id maps
        with open("/proc/sys/user/max_user_namespaces", "w") as limit:
            limit.write("0\n")
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        os.execvp(command[0], command)
    os.read(ready_read, 1)
    for kind, own in (("uid", uid), ("gid", gid)):
        with open(f"/proc/{child}/{kind}_map", "w") as id_map:
            id_map.write(f"0 0 1\n{own} {own} 1\n")
    os.write(go_write, b"x")
    _, status = os.waitpid(child, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
