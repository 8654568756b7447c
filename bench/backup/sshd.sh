# Sourced by the SFTP benchmarks (remote.sh, second.sh): start_sshd DIR starts Debian's OpenSSH
# server on a free loopback port with a throwaway host key in DIR and a user key in
# $HOME/.ssh (set HOME to a scratch folder first: the real ~/.ssh is never read), trusts it
# in $HOME/.ssh/known_hosts, and sets `port` and `sshd_pid` (killed when the script exits).
start_sshd() {
  local dir=$1
  mkdir -p "$HOME/.ssh" /run/sshd # privilege separation needs /run/sshd, which only the service makes
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519"
  cp "$HOME/.ssh/id_ed25519.pub" "$dir/authorized_keys"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$HOME/.ssh/known_hosts"
  /usr/sbin/sshd -D -e -f /dev/null -p "$port" -o ListenAddress=127.0.0.1 -o "HostKey=$dir/host_key" \
    -o "AuthorizedKeysFile=$dir/authorized_keys" -o PermitRootLogin=prohibit-password \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o StrictModes=no -o UsePAM=no \
    -o PidFile=none -o 'Subsystem=sftp internal-sftp' 2> "$dir/sshd.log" &
  sshd_pid=$!
  trap 'kill $sshd_pid 2>/dev/null || true' EXIT
  until grep -qs 'Server listening' "$dir/sshd.log"; do kill -0 $sshd_pid; sleep 0.1; done
}
