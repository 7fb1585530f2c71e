#!/usr/bin/env bash
# Installs what nodectl's tests start for real: PostgreSQL (initdb, pg_ctl
# under /usr/lib/postgresql/*/bin) and OpenSSH (sshd, ssh, ssh-keygen), from
# Debian's packages. Idempotent: installs only what is missing. Run as root
# (CI and the dev machines are). The tests run their own servers on loopback
# in temporary directories; nothing here starts a service.
set -euo pipefail

need_apt=()
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need_apt+=(postgresql)
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v runuser >/dev/null 2>&1 || need_apt+=(util-linux)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    # policy-rc.d-free: the packages' own services are not needed (and in a
    # container there is no init to start them).
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# sshd as root wants its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd

pg_ctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)
"$pg_ctl" --version
/usr/sbin/sshd -V 2>&1 | head -n 1 || true
