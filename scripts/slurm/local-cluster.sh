#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for FaceBrain's SLURM tests and for trying `run --executor slurm`.
#   scripts/slurm/local-cluster.sh start   installs slurm-wlm + munge when missing (apt-get, needs root), writes a
#                                          localhost slurm.conf (select/cons_tres, accounting off, jobcomp/filetxt)
#                                          and starts munged, slurmctld and slurmd; waits until the node is idle
#   scripts/slurm/local-cluster.sh stop    stops the three daemons
#   scripts/slurm/local-cluster.sh status  prints sinfo
# State lives under $FACEBRAIN_SLURM_DIR (default /var/tmp/facebrain-slurm); the job completion log is
# $FACEBRAIN_SLURM_DIR/jobcomp.log. Exit 0 when the cluster answers, non-zero (with the reason) otherwise.
set -euo pipefail
dir=${FACEBRAIN_SLURM_DIR:-/var/tmp/facebrain-slurm}
conf=/etc/slurm/slurm.conf

die() { echo "local-cluster: $*" >&2; exit 1; }

install_packages() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return
  [[ $(id -u) == 0 ]] || die "slurm-wlm/munge are missing and installing them needs root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; } \
    || die "apt-get could not install slurm-wlm and munge"
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))   # MB, leaving 1 GB to the system
  mkdir -p "$dir/spool/ctld" "$dir/spool/d" "$dir/log" /etc/slurm
  cat >"$conf" <<CONF
# Written by FaceBrain's scripts/slurm/local-cluster.sh: a one-node cluster on localhost.
ClusterName=facebrain-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=2048
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
ReturnToService=2
MinJobAge=300
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  install_packages
  write_conf
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    [[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    chmod 0400 /etc/munge/munge.key
    if id munge >/dev/null 2>&1; then su -s /bin/sh munge -c munged 2>/dev/null || munged --force; else munged --force; fi
  fi
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
      echo "local-cluster: up ($(sinfo -h -o '%N %c CPUs %m MB %T'))"
      return 0
    fi
    # A node left DOWN by an earlier unclean stop comes back with an update.
    scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  die "the node did not become idle within 60 s; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
}

# Stops the daemons by the pids they wrote (slurm.conf's pid files, munged's), never by name: another cluster or
# munged on the machine is left alone.
stop() {
  local pids=() f p
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" /run/munge/munged.pid; do
    [[ -s $f ]] && p=$(<"$f") && kill -0 "$p" 2>/dev/null && { kill "$p"; pids+=("$p"); }
  done
  for _ in $(seq 1 20); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && { echo "local-cluster: stopped"; return 0; }
    sleep 0.5
  done
  die "daemons still running after 10 s (pids ${pids[*]})"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
