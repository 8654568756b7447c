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
  # A port below the ephemeral range (32768 and up here), so no outgoing connection takes it
  # between the check and sshd's bind; another program may still, so a refused bind tries
  # another port (the test servers pick theirs the same way: tandem's freePort).
  local try
  for try in 1 2 3 4 5; do
    port=$(python3 -c 'import random, socket
while True:
    p = random.randrange(20000, 32000)
    try:
        socket.socket().bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass')
    /usr/sbin/sshd -D -e -f /dev/null -p "$port" -o ListenAddress=127.0.0.1 -o "HostKey=$dir/host_key" \
      -o "AuthorizedKeysFile=$dir/authorized_keys" -o PermitRootLogin=prohibit-password \
      -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o StrictModes=no -o UsePAM=no \
      -o PidFile=none -o 'Subsystem=sftp internal-sftp' 2> "$dir/sshd.log" &
    sshd_pid=$!
    until grep -qs 'Server listening' "$dir/sshd.log" || ! kill -0 $sshd_pid 2>/dev/null; do sleep 0.1; done
    grep -qs 'Server listening' "$dir/sshd.log" && break
    wait $sshd_pid || true
    echo "sshd could not listen on port $port (try $try): $(cat "$dir/sshd.log")" >&2
    [ "$try" = 5 ] && return 1
  done
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$HOME/.ssh/known_hosts"
  trap 'kill $sshd_pid 2>/dev/null || true' EXIT
}
