#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Load comparison of `sipactors load` with SIPp against Kamailio on loopback.

.DESCRIPTION
    Starts Kamailio 5.6 (tests/load/kamailio-load.cfg: UDP on 127.0.0.1, two UDP workers, digest
    auth with password "pw-" + user, bindings in memory) and registers -Accounts accounts with
    digest auth over UDP twice, each against a freshly started Kamailio so both start equal:

      1. SIPp (tests/load/sipp/register_auth.xml, one call = REGISTER, 401, REGISTER with
         credentials, 200; CSV injection of load00000, load00001, ...), as fast as it goes.
      2. sipactors load with the same accounts, as fast as it goes.

    A run counts only with zero failures (every call/account succeeded and Kamailio holds exactly
    -Accounts bindings); a run with failures is retried at a lower SIPp rate / lower concurrency.
    Rates come from each tool's own statistics: SIPp's statistics file (successful calls / elapsed
    between its StartTime and CurrentTime), sipactors' report (registrationRate); and from one
    outside clock for both, Kamailio's binding count read with kamcmd every -ClockIntervalMs
    (first binding to the last, interpolated between readings). Peak memory is
    VmHWM (peak resident set) for both: polled from /proc/<pid>/status for SIPp, the report's
    peakWorkingSetBytes (.NET's PeakWorkingSet64, read from the same VmHWM) for sipactors.

    Then, unless -HoldAccounts is 0, holds -HoldAccounts accounts registered with Expires 60 for
    -HoldSeconds against a restarted Kamailio (so refreshes happen) and reports memory per account,
    refreshes and CPU during the hold (utime+stime from /proc/<pid>/stat at the first and the last
    progress sample of the hold phase).

    Prints a table and writes artifacts/load/comparison.json (plus the SIPp statistics, the
    sipactors reports and the Kamailio logs of each run in artifacts/load/).
    Needs only loopback, Kamailio (kamailio), SIPp (sip-tester) and the .NET SDK. Exits non-zero
    when a tool is missing or fails to start, or when no zero-failure run could be made.

.EXAMPLE
    dotnet pwsh ./tests/load/run.ps1
.EXAMPLE
    dotnet pwsh ./tests/load/run.ps1 -Accounts 10000 -HoldAccounts 0
#>
[CmdletBinding()]
param(
    # Accounts registered by each tool in the comparison.
    [ValidateRange(1, 1000000)]
    [int] $Accounts = 10000,

    # Accounts held registered (Expires 60) by sipactors in the hold measurement; 0 skips it.
    [ValidateRange(0, 1000000)]
    [int] $HoldAccounts = 100000,

    # Seconds the hold measurement keeps the accounts registered after its ramp.
    [ValidateRange(1, 86400)]
    [int] $HoldSeconds = 60,

    # Build configuration of src/SipActors.Cli.
    [string] $Configuration = 'Release',

    # sipactors load --concurrency: registrations in flight at once (halved on a retry); 200 is the
    # product default (sip-actors.max-concurrent-connects); 500 measured the same here.
    [ValidateRange(1, 1000000)]
    [int] $Concurrency = 200,

    # SIPp -r (new calls per second, -rp 1000) of the first attempt; lowered by 30% on a retry.
    [ValidateRange(1, 1000000)]
    [int] $SippRate = 25000,

    # SIPp -l: calls in flight at once.
    [ValidateRange(1, 1000000)]
    [int] $SippLimit = 1000,

    # Attempts per tool before giving up on a zero-failure run.
    [ValidateRange(1, 10)]
    [int] $Attempts = 4,

    # Where the comparison and the logs go. Default: <repo>/artifacts/load.
    [string] $OutputDirectory = '',

    # Build into this ArtifactsPath (dotnet build -p:UseArtifactsOutput=true) instead of
    # src/SipActors.Cli/bin, e.g. to leave other builds of the repo alone.
    [string] $BuildOutput = '',

    # Milliseconds between two readings of Kamailio's binding count (the outside clock timing both tools).
    [ValidateRange(10, 1000)]
    [int] $ClockIntervalMs = 50,

    # Use the existing build of src/SipActors.Cli.
    [switch] $NoBuild
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# Native tools' exit codes are checked here (build.ps1 turns this on in the scope that calls us).
$PSNativeCommandUseErrorActionPreference = $false
if ($env:CI -eq 'true' -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

$Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $OutputDirectory) { $OutputDirectory = Join-Path $Repo 'artifacts/load' }
$OutputDirectory = [System.IO.Path]::GetFullPath($OutputDirectory)
New-Item -ItemType Directory -Force $OutputDirectory | Out-Null
$Inv = [System.Globalization.CultureInfo]::InvariantCulture
$Install = 'apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules sip-tester (or: dotnet pwsh ./build.ps1 bench, which installs them as root)'

function Write-Step([string] $message) { Write-Host "==> $message" -ForegroundColor Cyan }
function F([string] $format, [object[]] $values) { [string]::Format($Inv, $format, $values) }
function Round-Finite([double] $value, [int] $digits) { if ([double]::IsFinite($value)) { [math]::Round($value, $digits) } else { $null } }

# ---------------------------------------------------------------- tools

function Find-Tool([string] $name, [string] $package) {
    # kamailio and kamcmd live in /usr/sbin, which is not on a normal user's PATH.
    $command = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    foreach ($dir in '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin') {
        if (Test-Path "$dir/$name") { return "$dir/$name" }
    }
    throw "$name was not found (package $package). Install the load-test peers: $Install"
}

function Find-KamailioModules {
    $needed = 'kex', 'corex', 'sl', 'pv', 'maxfwd', 'usrloc', 'registrar', 'textops', 'sanity', 'ctl', 'auth'
    $dirs = @(Get-Item '/usr/lib/*/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/lib64/kamailio/modules' -ErrorAction SilentlyContinue)
    foreach ($dir in $dirs) {
        $missing = @($needed | Where-Object { -not (Test-Path (Join-Path $dir.FullName "$_.so")) })
        if ($missing.Count -eq 0) { return $dir.FullName.TrimEnd('/') + '/' }
    }
    throw "Kamailio's modules ($($needed -join ', ')) were not found under /usr/lib/*/kamailio/modules. Install: $Install"
}

$Tools = [ordered]@{
    kamailio = Find-Tool kamailio kamailio
    kamcmd   = Find-Tool kamcmd kamailio
    sipp     = Find-Tool sipp sip-tester
    dotnet   = Find-Tool dotnet 'the .NET SDK'
}
$KamailioModules = Find-KamailioModules
$ClockTicks = [int] (& getconf CLK_TCK)

# ---------------------------------------------------------------- processes

function Read-LogText([string] $path, [switch] $LastLine) {
    # Get-Content gives nothing (AutomationNull) for a log that is empty or not written yet, and a
    # [string] cast passes that to .NET as null: [regex]::Match threw "Value cannot be null" in the
    # first seconds of a hold, before the tool's first progress line, and ended the script.
    $text = if ($LastLine) { Get-Content $path -Tail 1 -ErrorAction SilentlyContinue } else { Get-Content $path -Raw -ErrorAction SilentlyContinue }
    if ($null -eq $text) { return '' }
    return [string] $text
}

function Start-LoggedProcess([string] $file, [string[]] $arguments, [string] $stdout, [string] $stderr) {
    # sh replaces itself (exec) with the tool, so the process id is the tool's, and its output goes
    # straight to files: nothing to drain, no pipe that could block it. Arguments pass untouched.
    $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $start.ArgumentList.Add('-c')
    $start.ArgumentList.Add('exec "$0" "$@" <"/dev/null" >"$SIPACTORS_LOAD_STDOUT" 2>"$SIPACTORS_LOAD_STDERR"')
    $start.ArgumentList.Add($file)
    foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
    $start.Environment['SIPACTORS_LOAD_STDOUT'] = $stdout
    $start.Environment['SIPACTORS_LOAD_STDERR'] = $stderr
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    if (-not $process) { throw "$file did not start" }
    $process
}

function Get-Tail([string] $path, [int] $lines = 25) {
    if (Test-Path $path) { (Get-Content $path -Tail $lines) -join "`n" } else { "(no $path)" }
}

# /proc readings in compiled code: polled every 10 ms while a tool runs, a PowerShell loop would
# take a good part of a core from the tools it measures on a 2-core machine.
Add-Type -TypeDefinition @'
using System;
using System.Diagnostics;
using System.IO;

public static class LoadProc
{
    /// <summary>A field of /proc/PID/status in kB (VmHWM, VmRSS); -1 once the process is gone.</summary>
    public static long StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/" + pid + "/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var parts = line.Substring(field.Length + 1).Trim().Split(' ');
                    return long.Parse(parts[0]);
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return -1;
    }

    /// <summary>utime + stime (fields 14 and 15 of /proc/PID/stat) in clock ticks, and the parent id; -1 once gone.</summary>
    public static long CpuTicks(int pid, out int parent)
    {
        parent = -1;
        try
        {
            var stat = File.ReadAllText("/proc/" + pid + "/stat");
            var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            parent = int.Parse(fields[1]);
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        catch (FormatException) { }
        return -1;
    }

    public static long CpuTicks(int pid)
    {
        int parent;
        return CpuTicks(pid, out parent);
    }

    /// <summary>CPU ticks of a process and its direct children (Kamailio's main process and its workers).</summary>
    public static long TreeCpuTicks(int pid)
    {
        long sum = Math.Max(0, CpuTicks(pid));
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            int id;
            if (!int.TryParse(Path.GetFileName(dir), out id) || id == pid) continue;
            int parent;
            var ticks = CpuTicks(id, out parent);
            if (parent == pid && ticks > 0) sum += ticks;
        }
        return sum;
    }

    /// <summary>
    /// Waits for the process to exit, reading its VmHWM and CPU ticks every intervalMs; returns
    /// { peak VmHWM kB, last CPU ticks, 1 when timeoutMs passed first }.
    /// </summary>
    public static long[] Watch(Process process, int intervalMs, int timeoutMs)
    {
        long hwm = 0, ticks = 0;
        var clock = Stopwatch.StartNew();
        while (!process.WaitForExit(intervalMs))
        {
            hwm = Math.Max(hwm, StatusKb(process.Id, "VmHWM"));
            ticks = Math.Max(ticks, CpuTicks(process.Id));
            if (clock.ElapsedMilliseconds > timeoutMs) return new[] { hwm, ticks, 1L };
        }
        return new[] { hwm, ticks, 0L };
    }
}

/// <summary>
/// One outside clock for both tools: Kamailio's count of bindings (usrloc:registered_users), read
/// with kamcmd every intervalMs on a thread of its own while a tool runs. The rate is the time from
/// the first binding to the last one, each found between two readings (interpolated), so it times
/// what the server saw, not what each tool says of itself.
/// </summary>
public sealed class BindingClock
{
    private readonly string _kamcmd;
    private readonly string _socket;
    private readonly int _intervalMs;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly System.Collections.Generic.List<double[]> _samples = new System.Collections.Generic.List<double[]>();
    private readonly System.Threading.Thread _thread;
    private volatile bool _stop;

    public BindingClock(string kamcmd, string socket, int intervalMs)
    {
        _kamcmd = kamcmd;
        _socket = socket;
        _intervalMs = intervalMs;
        // A first reading before the tool starts: the count's rise from it is the first binding.
        var before = _clock.Elapsed.TotalSeconds;
        var count = Read();
        _samples.Add(new[] { (before + _clock.Elapsed.TotalSeconds) / 2, count });
        _thread = new System.Threading.Thread(Run) { IsBackground = true, Name = "binding-clock" };
        _thread.Start();
    }

    public int Readings { get { lock (_samples) { return _samples.Count; } } }

    private void Run()
    {
        while (!_stop)
        {
            var before = _clock.Elapsed.TotalSeconds;
            var count = Read();
            var after = _clock.Elapsed.TotalSeconds;
            if (count >= 0)
            {
                lock (_samples) { _samples.Add(new[] { (before + after) / 2, count }); }
            }
            System.Threading.Thread.Sleep(_intervalMs);
        }
    }

    private long Read()
    {
        var info = new ProcessStartInfo(_kamcmd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-s");
        info.ArgumentList.Add(_socket);
        info.ArgumentList.Add("stats.get_statistics");
        info.ArgumentList.Add("registered_users");
        using (var process = Process.Start(info))
        {
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var match = System.Text.RegularExpressions.Regex.Match(output, @"registered_users\s*=\s*(\d+)");
            return process.ExitCode == 0 && match.Success ? long.Parse(match.Groups[1].Value) : -1;
        }
    }

    /// <summary>
    /// Stops reading; returns { seconds from the first binding to the target-th, target / those
    /// seconds, readings }, the first two NaN when the count never reached the target.
    /// </summary>
    public double[] Stop(long target)
    {
        _stop = true;
        _thread.Join();
        double[][] samples;
        lock (_samples) { samples = _samples.ToArray(); }
        var first = Crossing(samples, 1);
        var last = Crossing(samples, target);
        var seconds = last - first;
        return new[] { seconds, seconds > 0 ? target / seconds : double.NaN, samples.Length };
    }

    /// <summary>When the count first reached n, between the reading below it and the one at or above it.</summary>
    private static double Crossing(double[][] samples, long n)
    {
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i][1] >= n && samples[i - 1][1] < n)
            {
                var t0 = samples[i - 1][0]; var c0 = samples[i - 1][1];
                var t1 = samples[i][0]; var c1 = samples[i][1];
                return t0 + (t1 - t0) * (n - c0) / (c1 - c0);
            }
        }
        return double.NaN;
    }
}
'@

function Get-ProcStatusKb([int] $processId, [string] $field) {
    $kb = [LoadProc]::StatusKb($processId, $field)
    if ($kb -ge 0) { $kb } else { $null }
}

function Get-CpuTicks([int] $processId) {
    $ticks = [LoadProc]::CpuTicks($processId)
    if ($ticks -ge 0) { $ticks } else { $null }
}

function Stop-Tree([System.Diagnostics.Process] $process, [int] $graceSeconds = 10) {
    if ($process.HasExited) { return }
    # SIGTERM lets Kamailio stop and reap its workers; SIGKILL only when it does not.
    & kill -TERM $process.Id 2>$null
    if (-not $process.WaitForExit($graceSeconds * 1000)) {
        $process.Kill($true)
        $process.WaitForExit(5000) | Out-Null
    }
}

function Get-UdpReceiveBufferErrors {
    # Datagrams the kernel dropped because a socket's receive buffer was full (all sockets of the
    # machine: /proc/net/snmp, Udp RcvbufErrors).
    $lines = @(Get-Content /proc/net/snmp | Where-Object { $_ -like 'Udp:*' })
    $names = $lines[0].Split(' '); $values = $lines[1].Split(' ')
    [long] $values[[array]::IndexOf($names, 'RcvbufErrors')]
}

function Get-BusyTicks {
    # Busy CPU time of the whole machine (/proc/stat "cpu": user nice system irq softirq steal), in ticks.
    $f = (Get-Content /proc/stat -TotalCount 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries)
    [long] $f[1] + [long] $f[2] + [long] $f[3] + [long] $f[6] + [long] $f[7] + [long] $f[8]
}

function Start-CpuWatch($kamailio) {
    [pscustomobject]@{ Busy = Get-BusyTicks; Kamailio = Get-KamailioCpuTicks $kamailio; Harness = Get-CpuTicks $PID; Time = [DateTime]::UtcNow }
}

function Stop-CpuWatch($watch, $kamailio, [long] $toolTicks) {
    # CPU of the machine during a run, split into the tool, Kamailio, this script and everything
    # else (other people's work on a shared machine), in % of one core over the run's wall time.
    $seconds = ([DateTime]::UtcNow - $watch.Time).TotalSeconds
    $busy = (Get-BusyTicks) - $watch.Busy
    $kam = (Get-KamailioCpuTicks $kamailio) - $watch.Kamailio
    $harness = (Get-CpuTicks $PID) - $watch.Harness
    $pct = { param($ticks) [math]::Round(100.0 * $ticks / $ClockTicks / $seconds, 1) }
    [ordered]@{
        wallSeconds = [math]::Round($seconds, 2)
        tool = & $pct $toolTicks
        kamailio = & $pct $kam
        harness = & $pct $harness
        other = & $pct ([math]::Max(0, $busy - $toolTicks - $kam - $harness))
    }
}

function Get-SysctlValue([string] $name) {
    $path = '/proc/sys/' + $name.Replace('.', '/')
    if (Test-Path $path) { [long] (Get-Content $path -Raw).Trim() } else { $null }
}

function Get-FreeUdpPorts([int] $count) {
    # Held open together so the ports differ; closed before the tools bind them.
    $sockets = @(1..$count | ForEach-Object {
            [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        })
    try { @($sockets | ForEach-Object { $_.Client.LocalEndPoint.Port }) }
    finally { $sockets | ForEach-Object { $_.Dispose() } }
}

# ---------------------------------------------------------------- Kamailio

$KamailioTemplate = Get-Content (Join-Path $PSScriptRoot 'kamailio-load.cfg') -Raw

function Start-Kamailio([string] $label) {
    $port = (Get-FreeUdpPorts 1)[0]
    # A short temp path: the control socket's path must fit a unix socket address (108 bytes).
    $runDir = [System.IO.Directory]::CreateTempSubdirectory('sipactors-load-kamailio-').FullName
    $config = Join-Path $runDir 'kamailio.cfg'
    [System.IO.File]::WriteAllText($config, $KamailioTemplate.
        Replace('%%MODULES%%', $KamailioModules).
        Replace('%%RUN_DIR%%', $runDir).
        Replace('%%UDP_PORT%%', [string] $port))
    $log = Join-Path $OutputDirectory "kamailio-$label.log"
    # Foreground (-DD) under our control, log to stderr (-E), own run dir and pid file;
    # 512 MiB shared memory for the bindings, 16 MiB private memory per process.
    $arguments = @('-f', $config, '-DD', '-E', '-Y', $runDir, '-P', (Join-Path $runDir 'kamailio.pid'), '-m', '512', '-M', '16')
    $process = Start-LoggedProcess $Tools.kamailio $arguments $log $log
    $kamailio = [pscustomobject]@{ Process = $process; Port = $port; RunDir = $runDir; Log = $log; Label = $label }
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($process.HasExited) {
            Remove-Item -Recurse -Force $runDir -ErrorAction SilentlyContinue
            throw "Kamailio did not start (exit code $($process.ExitCode)); the end of $log`:`n$(Get-Tail $log)"
        }
        if (Test-Path (Join-Path $runDir 'ctl')) {
            & $Tools.kamcmd -s "unix:$runDir/ctl" core.uptime *> $null
            if ($LASTEXITCODE -eq 0) { return $kamailio }
        }
        Start-Sleep -Milliseconds 100
    }
    Stop-Kamailio $kamailio
    throw "Kamailio did not answer on its control socket (kamcmd core.uptime) within 20 s; the end of $log`:`n$(Get-Tail $log)"
}

function Stop-Kamailio($kamailio) {
    if (-not $kamailio) { return }
    Stop-Tree $kamailio.Process
    Remove-Item -Recurse -Force $kamailio.RunDir -ErrorAction SilentlyContinue
}

function Get-KamailioBindings($kamailio) {
    # usrloc:registered_users: the number of bindings in the location table.
    $output = (& $Tools.kamcmd -s "unix:$($kamailio.RunDir)/ctl" stats.get_statistics all 2>&1) -join "`n"
    $match = [regex]::Match($output, 'usrloc:registered_users\s*=\s*(\d+)')
    if ($LASTEXITCODE -ne 0 -or -not $match.Success) { throw "kamcmd stats.get_statistics failed ($LASTEXITCODE): $output" }
    [int] $match.Groups[1].Value
}

function Get-KamailioCpuTicks($kamailio) {
    # The main process and its forked workers.
    [LoadProc]::TreeCpuTicks($kamailio.Process.Id)
}

function Invoke-WithKamailio([string] $label, [scriptblock] $body) {
    $kamailio = Start-Kamailio $label
    try { & $body $kamailio }
    finally { Stop-Kamailio $kamailio }
}

# ---------------------------------------------------------------- SIPp

function Write-SippUsers([int] $count, [string] $path) {
    # field0 user; field1 the whole [authentication] keyword (SIPp 3.6 does not expand [field0]
    # inside it, an injected keyword it does); field2 the domain.
    $text = [System.Text.StringBuilder]::new(($count + 1) * 80)
    [void] $text.Append("SEQUENTIAL`n")
    for ($i = 0; $i -lt $count; $i++) {
        $user = 'load' + $i.ToString('D5', $Inv)
        [void] $text.Append("$user;[authentication username=$user password=pw-$user];127.0.0.1;`n")
    }
    [System.IO.File]::WriteAllText($path, $text.ToString())
}

function Read-SippStatistics([string] $path) {
    # The statistics file (-trace_stat): a header line and one ';'-separated line per period; the
    # last line is the final one. Times are "date<TAB>time<TAB>epoch seconds".
    $lines = @(Get-Content $path | Where-Object { $_ })
    if ($lines.Count -lt 2) { throw "SIPp wrote no statistics to $path" }
    $names = $lines[0].Split(';')
    $values = $lines[-1].Split(';')
    $at = @{}
    for ($i = 0; $i -lt $names.Count; $i++) { $at[$names[$i]] = $i }
    $epoch = { param($name) [double]::Parse($values[$at[$name]].Split("`t")[-1], $Inv) }
    $int = { param($name) [long] $values[$at[$name]] }
    $elapsed = (& $epoch 'CurrentTime') - (& $epoch 'StartTime')
    [pscustomobject]@{
        Created         = & $int 'OutgoingCall(C)'
        Successful      = & $int 'SuccessfulCall(C)'
        Failed          = & $int 'FailedCall(C)'
        Retransmissions = & $int 'Retransmissions(C)'
        ElapsedSeconds  = $elapsed
        Rate            = if ($elapsed -gt 0) { (& $int 'SuccessfulCall(C)') / $elapsed } else { 0 }
    }
}

function Invoke-Sipp($kamailio, [int] $rate, [int] $attempt) {
    $dir = Join-Path $OutputDirectory "sipp-$attempt"
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $dir | Out-Null
    $users = Join-Path $dir 'users.csv'
    Write-SippUsers $Accounts $users
    $localPort = (Get-FreeUdpPorts 1)[0]
    $timeoutSeconds = 60 + [int] [math]::Ceiling($Accounts / 500.0)
    $arguments = @(
        "127.0.0.1:$($kamailio.Port)",
        '-sf', (Join-Path $PSScriptRoot 'sipp/register_auth.xml'),
        '-inf', $users,
        '-m', [string] $Accounts,
        '-r', [string] $rate, '-rp', '1000',
        '-l', [string] $SippLimit,
        '-t', 'u1', '-i', '127.0.0.1', '-p', [string] $localPort,
        '-buff_size', '8388608',
        '-trace_stat', '-stf', (Join-Path $dir 'stats.csv'), '-fd', '1',
        '-trace_screen', '-screen_file', (Join-Path $dir 'screen.txt'),
        '-trace_err', '-error_file', (Join-Path $dir 'errors.log'),
        '-timeout', "${timeoutSeconds}s", '-timeout_error',
        '-nostdin')
    Set-Content (Join-Path $dir 'command.txt') ("sipp " + ($arguments -join ' '))
    $stdout = Join-Path $dir 'stdout.txt'
    $drops = Get-UdpReceiveBufferErrors
    $watch = Start-CpuWatch $kamailio
    $clock = [BindingClock]::new($Tools.kamcmd, "unix:$($kamailio.RunDir)/ctl", $ClockIntervalMs)
    $process = Start-LoggedProcess $Tools.sipp $arguments $stdout (Join-Path $dir 'stderr.txt')
    # Peak memory: VmHWM (peak resident set), read every 10 ms; the last reading before the exit.
    # CPU: utime+stime from /proc/<pid>/stat, the last reading before the exit.
    $hwmKb, $ticks, $timedOut = [LoadProc]::Watch($process, 10, ($timeoutSeconds + 30) * 1000)
    if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
    $outside = $clock.Stop($Accounts)
    $exitCode = $process.ExitCode
    $cpuPercent = Stop-CpuWatch $watch $kamailio $ticks
    $drops = (Get-UdpReceiveBufferErrors) - $drops
    if (-not (Test-Path (Join-Path $dir 'stats.csv'))) {
        throw "SIPp did not run (exit code $exitCode, no statistics file):`n$(Get-Tail (Join-Path $dir 'stderr.txt'))`n$(Get-Tail $stdout 10)"
    }
    $stats = Read-SippStatistics (Join-Path $dir 'stats.csv')
    $bindings = Get-KamailioBindings $kamailio
    $clean = $exitCode -eq 0 -and $stats.Failed -eq 0 -and $stats.Successful -eq $Accounts -and $bindings -eq $Accounts
    [pscustomobject][ordered]@{
        attempt            = $attempt
        rate               = $rate
        limit              = $SippLimit
        exitCode           = $exitCode
        successful         = $stats.Successful
        failed             = $stats.Failed + ($Accounts - $stats.Successful - $stats.Failed)
        retransmissions    = $stats.Retransmissions
        udpReceiveBufferDrops = $drops
        elapsedSeconds     = [math]::Round($stats.ElapsedSeconds, 3)
        registrationRate   = [math]::Round($stats.Rate, 1)
        kamailioClockSeconds = Round-Finite $outside[0] 3
        kamailioClockRate  = Round-Finite $outside[1] 1
        kamailioClockReadings = [int] $outside[2]
        peakMemoryBytes    = $hwmKb * 1024
        cpuSeconds         = [math]::Round($ticks / $ClockTicks, 2)
        cpuPercentOfOneCore = $cpuPercent
        kamailioBindings   = $bindings
        zeroFailures       = $clean
        files              = $dir
    }
}

# ---------------------------------------------------------------- sipactors

function Build-Cli {
    $project = Join-Path $Repo 'src/SipActors.Cli'
    $arguments = @('build', $project, '-c', $Configuration, '-nologo', '-v', 'q')
    if ($BuildOutput) { $arguments += @('-p:UseArtifactsOutput=true', "-p:ArtifactsPath=$([System.IO.Path]::GetFullPath($BuildOutput))") }
    if (-not $NoBuild) {
        Write-Step "dotnet $($arguments -join ' ')"
        $output = & $Tools.dotnet @arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "dotnet build of src/SipActors.Cli failed:`n$($output -join "`n")" }
    }
    $pattern = if ($BuildOutput) {
        Join-Path ([System.IO.Path]::GetFullPath($BuildOutput)) "bin/SipActors.Cli/$($Configuration.ToLowerInvariant())*/SipActors.Cli.dll"
    }
    else { Join-Path $project "bin/$Configuration/net*/SipActors.Cli.dll" }
    $dll = Get-ChildItem $pattern -ErrorAction SilentlyContinue | Sort-Object LastWriteTime | Select-Object -Last 1
    if (-not $dll) { throw "SipActors.Cli.dll was not found at $pattern (build it: dotnet build src/SipActors.Cli -c $Configuration)" }
    $dll.FullName
}

function Invoke-SipActorsLoad($kamailio, [string] $dll, [string] $label, [int] $count, [string[]] $extra, [switch] $Hold) {
    $report = Join-Path $OutputDirectory "$label.json"
    $stdout = Join-Path $OutputDirectory "$label.log"
    Remove-Item $report -ErrorAction SilentlyContinue
    $arguments = @($dll, 'load',
        '--server', "udp://127.0.0.1:$($kamailio.Port)", '--domain', '127.0.0.1',
        '--accounts', [string] $count, '--user-format', 'load{0:D5}', '--password-format', 'pw-{user}',
        '--report', $report, '--plain') + $extra
    Set-Content (Join-Path $OutputDirectory "$label.command.txt") ("dotnet " + ($arguments -join ' '))
    $drops = Get-UdpReceiveBufferErrors
    $watch = Start-CpuWatch $kamailio
    # The outside clock only for a ramp measured on its own: a hold's readings would be one more load on the run.
    $clock = if (-not $Hold) { [BindingClock]::new($Tools.kamcmd, "unix:$($kamailio.RunDir)/ctl", $ClockIntervalMs) } else { $null }
    $process = Start-LoggedProcess $Tools.dotnet $arguments $stdout (Join-Path $OutputDirectory "$label.stderr.txt")
    $timeoutSeconds = 120 + [int] [math]::Ceiling($count / 500.0) + $(if ($Hold) { $HoldSeconds } else { 0 })
    $deadline = [DateTime]::UtcNow.AddSeconds($timeoutSeconds)
    $hwmKb = 0L; $ticks = 0L
    $samples = [System.Collections.Generic.List[object]]::new()
    try {
        if (-not $Hold) {
            # Read every 50 ms in compiled code: the last VmHWM and CPU reading before the exit (the
            # peak memory figure is the report's own; the CPU figure misses at most the last 50 ms).
            $hwmKb, $ticks, $timedOut = [LoadProc]::Watch($process, 50, $timeoutSeconds * 1000)
            if ($timedOut) { $deadline = [DateTime]::MinValue }
        }
        while (-not $process.WaitForExit(1000)) {
            $kb = Get-ProcStatusKb $process.Id 'VmHWM'
            if ($kb) { $hwmKb = [math]::Max($hwmKb, $kb) }
            $t = Get-CpuTicks $process.Id
            if ($t) { $ticks = [math]::Max($ticks, $t) }
            if ($Hold) {
                # The phase of the run is that of its last progress line ("HH:mm:ss hold ...").
                $last = Read-LogText $stdout -LastLine
                $match = [regex]::Match($last, '^\S+\s+(\w+)\s')
                $phase = if ($match.Success) { $match.Groups[1].Value } else { '' }
                $sample = [pscustomobject]@{
                    Phase = $phase; Time = [DateTime]::UtcNow; Ticks = Get-CpuTicks $process.Id
                    RssKb = Get-ProcStatusKb $process.Id 'VmRSS'; KamailioTicks = Get-KamailioCpuTicks $kamailio
                    Bindings = $null
                }
                if ($phase -eq 'hold') { try { $sample.Bindings = Get-KamailioBindings $kamailio } catch { } }
                $samples.Add($sample)
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                Write-Warning "sipactors load did not finish within $timeoutSeconds s: stopping it"
                & kill -TERM $process.Id 2>$null
                if (-not $process.WaitForExit(30000)) { $process.Kill($true); $process.WaitForExit() }
                break
            }
        }
    }
    finally {
        # Whatever stopped the watch (an error in a sample, Ctrl+C), the tool does not outlive it:
        # a run left behind kept writing into the next run's log and Kamailio.
        if (-not $process.HasExited) {
            & kill -TERM $process.Id 2>$null
            if (-not $process.WaitForExit(30000)) { $process.Kill($true); $process.WaitForExit() }
        }
    }
    $outside = if ($clock) { $clock.Stop($count) } else { @([double]::NaN, [double]::NaN, 0) }
    $exitCode = $process.ExitCode
    $cpuPercent = Stop-CpuWatch $watch $kamailio $ticks
    $drops = (Get-UdpReceiveBufferErrors) - $drops
    if (-not (Test-Path $report)) {
        throw "sipactors load wrote no report (exit code $exitCode):`n$(Get-Tail (Join-Path $OutputDirectory "$label.stderr.txt"))`n$(Get-Tail $stdout 10)"
    }
    [pscustomobject]@{
        ExitCode = $exitCode; Report = (Get-Content $report -Raw | ConvertFrom-Json); ReportPath = $report
        KamailioClock = $outside
        CpuPercent = $cpuPercent; UdpDrops = $drops; PolledPeakBytes = $hwmKb * 1024; CpuSeconds = [math]::Round($ticks / $ClockTicks, 2); Samples = $samples; Log = $stdout
    }
}

# ---------------------------------------------------------------- the run

$started = [DateTimeOffset]::UtcNow
$sippVersion = ((& $Tools.sipp -v 2>&1) -join ' ' -replace '\s+', ' ').Trim()
$kamailioVersion = ((& $Tools.kamailio -v 2>&1 | Select-Object -First 1) -replace '^version:\s*kamailio\s*', '').Trim()
$dotnetVersion = (& $Tools.dotnet --version 2>$null)
$machine = [ordered]@{
    processors = [Environment]::ProcessorCount
    os         = if (Test-Path /etc/os-release) { (Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', '' } else { [Environment]::OSVersion.VersionString }
    kernel     = (& uname -r)
    kamailio   = $kamailioVersion
    sipp       = $sippVersion
    dotnetSdk  = $dotnetVersion
    netCoreRmemMax = Get-SysctlValue 'net.core.rmem_max'
    netCoreWmemMax = Get-SysctlValue 'net.core.wmem_max'
}
if ($machine.netCoreRmemMax -and $machine.netCoreRmemMax -lt 4MB) {
    Write-Warning "net.core.rmem_max is $($machine.netCoreRmemMax) bytes: the kernel caps every tool's UDP receive buffer there (SIPp -buff_size, Kamailio maxbuffer, sipactors' 8 MiB), and bursts of answers may be dropped and retransmitted. As root: sysctl -w net.core.rmem_max=8388608 net.core.wmem_max=8388608"
}
Write-Step "Load comparison: $Accounts accounts, digest auth over UDP, against Kamailio ($kamailioVersion, 2 UDP workers) on 127.0.0.1; $($machine.processors) CPUs"
$dll = Build-Cli

function Write-OtherLoad($cpu) {
    Write-Host (F '    CPU over the run (% of one core): tool {0}, Kamailio {1}, this script {2}, other processes {3}' @($cpu.tool, $cpu.kamailio, $cpu.harness, $cpu.other))
    if ($cpu.other -gt 15) { Write-Warning "Other processes used $($cpu.other)% of a core during this run: the machine was not quiet, the rate is lower than it would be." }
}

# SIPp, as fast as it goes; retried at a lower rate until a run has zero failures.
$sippAttempts = @()
$rate = $SippRate
for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
    Write-Step "SIPp attempt $attempt`: -r $rate -rp 1000 -l $SippLimit -t u1 -buff_size 8388608, $Accounts calls"
    $result = Invoke-WithKamailio "sipp-$attempt" { param($k) Invoke-Sipp $k $rate $attempt }
    $sippAttempts += $result
    Write-Host (F '    {0} registered, {1} failed, {2} retransmissions, {3:0.###} s, {4:0.0}/s, peak {5:0.0} MiB, CPU {6:0.00} s, Kamailio bindings {7}, UDP receive-buffer drops {8}' @(
            $result.successful, $result.failed, $result.retransmissions, $result.elapsedSeconds, $result.registrationRate, ($result.peakMemoryBytes / 1MB), $result.cpuSeconds, $result.kamailioBindings, $result.udpReceiveBufferDrops))
    Write-OtherLoad $result.cpuPercentOfOneCore
    if ($result.zeroFailures) { break }
    $rate = [math]::Max(100, [int] ($rate * 0.7))
}
$sipp = $sippAttempts | Where-Object zeroFailures | Select-Object -Last 1

# sipactors load, as fast as it goes; retried with half the concurrency until zero failures.
$sipactorsAttempts = @()
$concurrency = $Concurrency
for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
    Write-Step "sipactors load attempt $attempt`: --concurrency $concurrency, $Accounts accounts"
    $extra = @('--expires', '3600', '--no-unregister', '--concurrency', [string] $concurrency)
    $run = Invoke-WithKamailio "sipactors-$attempt" {
        param($k)
        $r = Invoke-SipActorsLoad $k $dll "sipactors-$attempt" $Accounts $extra
        $r | Add-Member Bindings (Get-KamailioBindings $k) -PassThru
    }
    $report = $run.Report
    $clean = $run.ExitCode -eq 0 -and $report.failed -eq 0 -and $report.registered -eq $Accounts -and $run.Bindings -eq $Accounts
    $result = [pscustomobject][ordered]@{
        attempt          = $attempt
        concurrency      = $concurrency
        exitCode         = $run.ExitCode
        successful       = [long] $report.registered
        failed           = [long] $report.failed + ($Accounts - $report.registered - $report.failed)
        failuresByCause  = $report.failuresByCause
        udpReceiveBufferDrops = $run.UdpDrops
        elapsedSeconds   = [double] $report.rampSeconds
        registrationRate = [double] $report.registrationRate
        kamailioClockSeconds = Round-Finite $run.KamailioClock[0] 3
        kamailioClockRate = Round-Finite $run.KamailioClock[1] 1
        kamailioClockReadings = [int] $run.KamailioClock[2]
        latencyMs        = $report.latencyMs
        peakMemoryBytes  = [long] $report.peakWorkingSetBytes
        polledVmHwmBytes = $run.PolledPeakBytes
        cpuSeconds       = $run.CpuSeconds
        cpuPercentOfOneCore = $run.CpuPercent
        kamailioBindings = $run.Bindings
        zeroFailures     = $clean
        files            = $run.ReportPath
    }
    $sipactorsAttempts += $result
    Write-Host (F '    {0} registered, {1} failed, {2:0.###} s ramp, {3:0.0}/s, p50 {4} ms p99 {5} ms, peak {6:0.0} MiB, CPU {7:0.00} s, Kamailio bindings {8}, UDP receive-buffer drops {9}' @(
            $result.successful, $result.failed, $result.elapsedSeconds, $result.registrationRate, $report.latencyMs.p50, $report.latencyMs.p99, ($result.peakMemoryBytes / 1MB), $result.cpuSeconds, $result.kamailioBindings, $result.udpReceiveBufferDrops))
    Write-OtherLoad $result.cpuPercentOfOneCore
    if ($clean) { break }
    $concurrency = [math]::Max(10, [int] ($concurrency / 2))
}
$sipactors = $sipactorsAttempts | Where-Object zeroFailures | Select-Object -Last 1

# 100,000 accounts held registered, refreshing (Expires 60), against a fresh Kamailio.
$hold = $null
if ($HoldAccounts -gt 0) {
    Write-Step "Hold: $HoldAccounts accounts registered for $HoldSeconds s with Expires 60 (refreshes), sipactors load --concurrency $Concurrency"
    $extra = @('--expires', '60', '--duration', [string] $HoldSeconds, '--concurrency', [string] $Concurrency)
    $run = Invoke-WithKamailio 'hold' { param($k) Invoke-SipActorsLoad $k $dll 'sipactors-hold' $HoldAccounts $extra -Hold }
    $report = $run.Report
    # Samples whose last progress line said "hold"; the last of them is dropped: the un-registration
    # may have begun up to a second before its first progress line.
    $holdSamples = @($run.Samples | Where-Object { $_.Phase -eq 'hold' -and $null -ne $_.Ticks })
    if ($holdSamples.Count -gt 2) { $holdSamples = $holdSamples[0..($holdSamples.Count - 2)] }
    $cpu = $null; $kamailioCpu = $null; $rssKb = $null; $bindings = $null; $minBindings = $null; $window = 0
    if ($holdSamples.Count -ge 2) {
        $first = $holdSamples[0]; $last = $holdSamples[-1]
        $window = ($last.Time - $first.Time).TotalSeconds
        $cpu = 100.0 * ($last.Ticks - $first.Ticks) / $ClockTicks / $window
        $kamailioCpu = 100.0 * ($last.KamailioTicks - $first.KamailioTicks) / $ClockTicks / $window
        $rssKb = $last.RssKb
        $counts = @($holdSamples | Where-Object { $null -ne $_.Bindings } | ForEach-Object Bindings)
        if ($counts.Count -gt 0) { $bindings = $counts[-1]; $minBindings = ($counts | Measure-Object -Minimum).Minimum }
    }
    # The working set before the first account: the first progress line ("ramp 0.0s ... ws 76MiB").
    $match = [regex]::Match((Read-LogText $run.Log), '\sramp\s.*\sws (\d+)MiB')
    $baseline = if ($match.Success) { [long] $match.Groups[1].Value * 1MB } else { $null }
    $registered = [long] $report.registered
    $hold = [ordered]@{
        accounts                   = $HoldAccounts
        holdSeconds                = $HoldSeconds
        expires                    = 60
        concurrency                = $Concurrency
        exitCode                   = $run.ExitCode
        registered                 = $registered
        failed                     = [long] $report.failed
        failuresByCause            = $report.failuresByCause
        registrationRate           = [double] $report.registrationRate
        refreshes                  = [long] $report.refreshes
        refreshFailures            = [long] $report.refreshFailures
        unregistered               = [long] $report.unregistered
        udpReceiveBufferDrops      = $run.UdpDrops
        kamailioBindingsWhileHeld  = $bindings
        kamailioBindingsMinimumWhileHeld = $minBindings
        peakWorkingSetBytes        = [long] $report.peakWorkingSetBytes
        peakBytesPerAccount        = if ($registered) { [math]::Round($report.peakWorkingSetBytes / $registered) } else { $null }
        heldRssBytes               = if ($rssKb) { $rssKb * 1024 } else { $null }
        heldRssBytesPerAccount     = if ($rssKb -and $registered) { [math]::Round($rssKb * 1024 / $registered) } else { $null }
        startRssBytes              = $baseline
        heldRssBytesPerAccountAboveStart = if ($rssKb -and $registered -and $baseline) { [math]::Round(($rssKb * 1024 - $baseline) / $registered) } else { $null }
        cpuPercentOfOneCoreWhileHeld = if ($null -ne $cpu) { [math]::Round($cpu, 1) } else { $null }
        kamailioCpuPercentWhileHeld  = if ($null -ne $kamailioCpu) { [math]::Round($kamailioCpu, 1) } else { $null }
        cpuWindowSeconds           = [math]::Round($window, 1)
        cpuMethod                  = 'utime+stime of the load process from /proc/<pid>/stat at the first and the last progress sample of the hold phase (1 s apart), over the wall time between them; Kamailio: its main process and workers summed'
        files                      = $run.ReportPath
    }
    Write-Host (F '    {0} registered, {1} failed, {2:0.0}/s ramp, {3} refreshes ({4} failed), {5} un-registered; Kamailio bindings while held {6}' @(
            $registered, $hold.failed, $hold.registrationRate, $hold.refreshes, $hold.refreshFailures, $hold.unregistered, $bindings))
}

# ---------------------------------------------------------------- report

function Row($tool, $result) {
    if (-not $result) { return [ordered]@{ tool = $tool; zeroFailureRun = $false } }
    [ordered]@{
        tool             = $tool
        accounts         = $Accounts
        registered       = $result.successful
        failed           = $result.failed
        registrationRate = $result.registrationRate
        kamailioClockRate = $result.kamailioClockRate
        elapsedSeconds   = $result.elapsedSeconds
        peakMemoryBytes  = $result.peakMemoryBytes
        peakMemoryMiB    = [math]::Round($result.peakMemoryBytes / 1MB, 1)
        cpuSeconds       = $result.cpuSeconds
        cpuMsPerRegistration = if ($result.successful) { [math]::Round(1000.0 * $result.cpuSeconds / $result.successful, 3) } else { $null }
        settings         = if ($tool -eq 'SIPp') { "-r $($result.rate) -rp 1000 -l $($result.limit) -t u1 -buff_size 8388608" } else { "--concurrency $($result.concurrency)" }
        zeroFailureRun   = $true
    }
}
$rows = @((Row 'SIPp' $sipp), (Row 'sipactors' $sipactors))
$ratio = $null
if ($sipp -and $sipactors) {
    $ratio = [ordered]@{
        registrationRate = [math]::Round($sipactors.registrationRate / $sipp.registrationRate, 3)
        kamailioClockRate = if ($sipactors.kamailioClockRate -and $sipp.kamailioClockRate) { [math]::Round($sipactors.kamailioClockRate / $sipp.kamailioClockRate, 3) } else { $null }
        peakMemory       = [math]::Round($sipactors.peakMemoryBytes / $sipp.peakMemoryBytes, 2)
        cpuPerRegistration = if ($sipp.cpuSeconds -gt 0) { [math]::Round(($sipactors.cpuSeconds / $sipactors.successful) / ($sipp.cpuSeconds / $sipp.successful), 1) } else { $null }
    }
}

Write-Host ''
Write-Host (F 'Registering {0} accounts with digest auth over UDP against Kamailio {1} (2 UDP workers) on 127.0.0.1, {2} CPUs' @($Accounts, $kamailioVersion, $machine.processors))
Write-Host (F '{0,-16} {1,9} {2,11} {3,7} {4,10} {5,14} {6,16} {7,12}' @('tool', 'accounts', 'registered', 'failed', 'rate/s', 'Kamailio clock', 'peak memory MiB', 'CPU ms/reg'))
foreach ($row in $rows) {
    if ($row.zeroFailureRun) {
        Write-Host (F '{0,-16} {1,9} {2,11} {3,7} {4,10:0.0} {5,14:0.0} {6,16:0.0} {7,12:0.000}' @($row.tool, $row.accounts, $row.registered, $row.failed, $row.registrationRate, $row.kamailioClockRate, $row.peakMemoryMiB, $row.cpuMsPerRegistration))
    }
    else { Write-Host (F '{0,-16} no zero-failure run in {1} attempts' @($row.tool, $Attempts)) }
}
if ($ratio) { Write-Host (F '{0,-16} {1,9} {2,11} {3,7} {4,10:0.00} {5,14:0.00} {6,16:0.0} {7,12:0.0}' @('sipactors/SIPp', '', '', '', $ratio.registrationRate, $ratio.kamailioClockRate, $ratio.peakMemory, $ratio.cpuPerRegistration)) }
if ($sipp) { Write-Host "SIPp settings: $($rows[0].settings)" }
if ($sipactors) { Write-Host "sipactors settings: $($rows[1].settings)" }
if ($hold) {
    Write-Host ''
    Write-Host (F 'Hold: {0} accounts, Expires 60, held {1} s: {2} registered, {3} failed, {4} refreshes ({5} failed), Kamailio bindings while held {6} (lowest {7})' @(
            $hold.accounts, $hold.holdSeconds, $hold.registered, $hold.failed, $hold.refreshes, $hold.refreshFailures, $hold.kamailioBindingsWhileHeld, $hold.kamailioBindingsMinimumWhileHeld))
    Write-Host (F '      peak working set {0:0.0} MiB ({1} B/account); RSS while held {2:0.0} MiB ({3} B/account, {4} B/account above the {5:0} MiB at start)' @(
            ($hold.peakWorkingSetBytes / 1MB), $hold.peakBytesPerAccount, ($hold.heldRssBytes / 1MB), $hold.heldRssBytesPerAccount, $hold.heldRssBytesPerAccountAboveStart, ($hold.startRssBytes / 1MB)))
    Write-Host (F '      CPU while held: sipactors {0}% of one core, Kamailio {1}% (over {2} s)' @($hold.cpuPercentOfOneCoreWhileHeld, $hold.kamailioCpuPercentWhileHeld, $hold.cpuWindowSeconds))
}

$comparison = [ordered]@{
    startedAt  = $started.ToString('o')
    command    = "dotnet pwsh ./tests/load/run.ps1 -Accounts $Accounts -HoldAccounts $HoldAccounts -HoldSeconds $HoldSeconds -Configuration $Configuration -Concurrency $Concurrency -SippRate $SippRate -SippLimit $SippLimit"
    machine    = $machine
    target     = 'Kamailio on 127.0.0.1 UDP, children=2, digest auth (pv_auth_check, password pw-<user>), usrloc db_mode 0, started fresh for every run (tests/load/kamailio-load.cfg)'
    accounts   = $Accounts
    results    = $rows
    ratio      = $ratio
    memoryMethod = 'peak resident set (VmHWM): SIPp read from /proc/<pid>/status every 10 ms; sipactors from its report (peakWorkingSetBytes = Process.PeakWorkingSet64, read from the same VmHWM)'
    cpuMethod  = 'utime+stime of the tool process (/proc/<pid>/stat), the last reading before it exited (read every 10 ms for SIPp, 50 ms for sipactors, 1 s in the hold; the sipactors figure includes the .NET start-up and JIT), divided by the accounts registered'
    rateMethod = "SIPp: SuccessfulCall(C) / (CurrentTime - StartTime) of the last line of its statistics file; sipactors: the report's registrationRate (initial registrations / first connect to last registered)"
    kamailioClockMethod = "one outside clock for both: Kamailio's usrloc:registered_users read with kamcmd every $ClockIntervalMs ms while the tool runs; accounts / (time the count reached the accounts - time it reached 1), each interpolated between the two readings around it"
    attempts   = [ordered]@{ sipp = $sippAttempts; sipactors = $sipactorsAttempts }
    hold       = $hold
}
$json = Join-Path $OutputDirectory 'comparison.json'
$comparison | ConvertTo-Json -Depth 8 | Set-Content $json
Write-Host "Written: $json"

$problems = @()
if (-not $sipp) { $problems += "SIPp had failures in every one of $Attempts attempts (see $OutputDirectory/sipp-*)" }
if (-not $sipactors) { $problems += "sipactors load had failures in every one of $Attempts attempts (see $OutputDirectory/sipactors-*)" }
if ($hold -and ($hold.exitCode -ne 0 -or $hold.registered -ne $HoldAccounts -or $hold.refreshFailures -ne 0)) {
    $problems += "the hold of $HoldAccounts accounts had failures: $($hold.registered) registered, $($hold.failed) failed, $($hold.refreshFailures) refresh failures, exit code $($hold.exitCode) (see $OutputDirectory/sipactors-hold.log)"
}
if ($problems.Count -gt 0) { throw "Load comparison incomplete: $($problems -join '; ')" }
