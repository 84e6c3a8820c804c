#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Call comparison of `sipactors calls` with SIPp through the same record-routing Kamailio (issue #18).

.DESCRIPTION
    For each rate of -Rates (ascending), against a freshly started Kamailio 5.6 with the
    integration tests' config (tests/peers/kamailio/kamailio.cfg: record_route(), lookup("location")
    for its own domain, relays the rest), places -Seconds worth of calls (rate x seconds calls),
    each held -Hold seconds, with each tool in turn:

      1. SIPp: a UAC (tests/load/sipp/call_uac.xml, -r rate, -d hold, every message sent to
         Kamailio with -rsa) calling a SIPp UAS (tests/load/sipp/call_uas.xml: answers at once
         like the auto-answer callees, and echoes Record-Route so ACK and BYE can follow the
         route) through Kamailio.
      2. sipactors calls: -Accounts accounts registered at that Kamailio, half callers and half
         auto-answer callees (found by Kamailio's lookup), --cps rate --calls N --hold hold.

    A run counts as zero-failure when every call was answered and none failed (SIPp: exit 0 and
    SuccessfulCall = N in its statistics file; sipactors: callsAnswered = N, callsFailed = 0).
    A failing run is run once more (a shared machine's hiccup); a tool stops climbing at its
    first rate that fails twice. The highest zero-failure rate of each
    is the result. Cores used = (user + system CPU seconds) / wall seconds of the tool's processes
    (SIPp: UAC and UAS added; both measured by /usr/bin/time), and Kamailio's over the same run
    (its process tree, from /proc). Kamailio's INVITE count (core:rcv_requests_invite) per call
    shows retransmissions or challenges reaching it. Datagrams the kernel dropped for a full
    receive buffer (/proc/net/udp's drops column) are counted at Kamailio's UDP socket and at the
    tool's sockets (SIPp's UAC and UAS ports; sipactors' shared socket, found by the inodes its
    process holds), read once a second while the tool runs.

    Kamailio is the integration tests' config with one change for both tools alike: maxbuffer
    8 MiB, so that it asks for a UDP receive buffer as large as the tools' (Kamailio's default
    probe stops at 256 KiB; the kernel caps either at net.core.rmem_max).

    Prints a table and writes artifacts/load/calls/comparison.json (plus each run's outputs).
    Needs loopback only, Kamailio, SIPp (sip-tester), /usr/bin/time and the .NET SDK. The machine
    is shared with whatever else runs: the load average is recorded with each run.

.EXAMPLE
    dotnet pwsh ./tests/load/calls.ps1
.EXAMPLE
    dotnet pwsh ./tests/load/calls.ps1 -Rates 100,200,400,800,1200 -Seconds 30 -Hold 1
#>
[CmdletBinding()]
param(
    # Calls per second tried, ascending, comma-separated (each tool stops at its first failing rate).
    # A string, so that `dotnet pwsh calls.ps1 -Rates 100,200` passes it whole.
    [string[]] $Rates = @('100', '200', '400', '800', '1200', '1600'),

    # Seconds of calling per run: rate x Seconds calls.
    [ValidateRange(1, 3600)]
    [int] $Seconds = 30,

    # Seconds from answer to BYE.
    [ValidateRange(0, 3600)]
    [double] $Hold = 1,

    # Accounts of the sipactors runs (half callers, half callees).
    [ValidateRange(2, 1000000)]
    [int] $Accounts = 4000,

    # Only one tool: sipp or sipactors.
    [ValidateSet('both', 'sipp', 'sipactors')]
    [string] $Tool = 'both',

    [string] $Configuration = 'Release',
    [switch] $NoBuild,
    [string] $OutputDirectory = (Join-Path $PSScriptRoot '../../artifacts/load/calls')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$Inv = [System.Globalization.CultureInfo]::InvariantCulture
$RateList = @($Rates | ForEach-Object { $_ -split ',' } | Where-Object { $_ } | ForEach-Object { [int]::Parse($_.Trim(), $Inv) } | Sort-Object)
$Repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$OutputDirectory = [System.IO.Path]::GetFullPath($OutputDirectory)
New-Item -ItemType Directory -Force $OutputDirectory | Out-Null
$Install = 'apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules sip-tester'

function Write-Step([string] $message) { Write-Host "==> $message" -ForegroundColor Cyan }

function Find-Tool([string] $name, [string] $package) {
    $command = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    foreach ($dir in '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin') {
        if (Test-Path "$dir/$name") { return "$dir/$name" }
    }
    throw "$name was not found (package $package). Install: $Install"
}

$Tools = [ordered]@{
    kamailio = Find-Tool kamailio kamailio
    kamcmd   = Find-Tool kamcmd kamailio
    sipp     = Find-Tool sipp sip-tester
    dotnet   = Find-Tool dotnet 'the .NET SDK'
    time     = Find-Tool time time
}
$Modules = @(Get-Item '/usr/lib/*/kamailio/modules', '/usr/lib/kamailio/modules' -ErrorAction SilentlyContinue | Select-Object -First 1)
if ($Modules.Count -eq 0) { throw "Kamailio's modules were not found under /usr/lib/*/kamailio/modules. Install: $Install" }
$ModulesDir = $Modules[0].FullName.TrimEnd('/') + '/'
$ClockTicks = [int] (& getconf CLK_TCK)
# The same for both tools: a receive buffer as large as theirs (-buff_size 8388608, the stack's 8 MiB).
$Template = (Get-Content (Join-Path $Repo 'tests/peers/kamailio/kamailio.cfg') -Raw) -replace '(?m)^children=2\s*$', "children=2`nmaxbuffer=8388608"
if ($Template -notmatch '(?m)^maxbuffer=8388608') { throw "tests/peers/kamailio/kamailio.cfg has no 'children=2' line to put maxbuffer after" }
$UasScenario = Join-Path $PSScriptRoot 'sipp/call_uas.xml'
$UacScenario = Join-Path $PSScriptRoot 'sipp/call_uac.xml'

# ---------------------------------------------------------------- processes

function Start-Timed([string] $file, [string[]] $arguments, [string] $label) {
    # /usr/bin/time runs the tool and writes its user, system and wall seconds to $label.time;
    # sh's exec keeps the output in files (no pipe to drain).
    $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $start.ArgumentList.Add('-c')
    $start.ArgumentList.Add('exec "$0" "$@" <"/dev/null" >"$CALLS_STDOUT" 2>"$CALLS_STDERR"')
    $start.ArgumentList.Add($Tools.time)
    foreach ($a in @('-f', '%U %S %e', '-o', (Join-Path $OutputDirectory "$label.time"), $file) + $arguments) { $start.ArgumentList.Add($a) }
    $start.Environment['CALLS_STDOUT'] = Join-Path $OutputDirectory "$label.out"
    $start.Environment['CALLS_STDERR'] = Join-Path $OutputDirectory "$label.err"
    $start.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($start)
}

function Read-Time([string] $label) {
    $f = (Get-Content (Join-Path $OutputDirectory "$label.time") | Where-Object { $_ -match '^[\d.]+ [\d.]+ [\d.]+$' } | Select-Object -Last 1).Split(' ')
    [pscustomobject]@{ Cpu = [double]::Parse($f[0], $Inv) + [double]::Parse($f[1], $Inv); Wall = [double]::Parse($f[2], $Inv) }
}

function Get-FreeUdpPorts([int] $count) {
    $sockets = @(1..$count | ForEach-Object { [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0)) })
    try { @($sockets | ForEach-Object { $_.Client.LocalEndPoint.Port }) } finally { $sockets | ForEach-Object { $_.Dispose() } }
}

function Read-UdpDrops {
    # Local port and receive-buffer drops of every UDP socket (/proc/net/udp, "drops" column), by inode.
    $table = @{}
    foreach ($line in (Get-Content /proc/net/udp | Select-Object -Skip 1)) {
        $f = $line.Trim() -split '\s+'
        if ($f.Count -lt 13) { continue }
        $table[$f[9]] = [pscustomobject]@{ Port = [Convert]::ToInt32($f[1].Split(':')[1], 16); Drops = [long] $f[12] }
    }
    $table
}

function Get-SocketInodes([int] $processId) {
    # The socket inodes a process holds open (/proc/<pid>/fd -> socket:[inode]).
    @(Get-ChildItem "/proc/$processId/fd" -ErrorAction SilentlyContinue | ForEach-Object { $_.LinkTarget } | Where-Object { $_ -match '^socket:\[(\d+)\]$' } | ForEach-Object { $Matches[1] })
}

function Wait-Sampling($process, [int] $timeoutSeconds, [scriptblock] $sockets) {
    # Waits for the tool, reading once a second the receive-buffer drops of the UDP sockets that
    # $sockets picks (they close with the tool, so the last reading before its exit counts);
    # returns the drops summed over those sockets, or -1 when none was seen.
    $drops = @{}
    $deadline = [DateTime]::UtcNow.AddSeconds($timeoutSeconds)
    while (-not $process.WaitForExit(1000) -and [DateTime]::UtcNow -lt $deadline) {
        $table = Read-UdpDrops
        foreach ($inode in @(& $sockets $table)) { if ($table.ContainsKey($inode)) { $drops[$inode] = $table[$inode].Drops } }
    }
    if ($drops.Count -eq 0) { -1 } else { ($drops.Values | Measure-Object -Sum).Sum }
}

function Get-PortDrops([int] $port) {
    $entry = (Read-UdpDrops).Values | Where-Object { $_.Port -eq $port } | Select-Object -First 1
    if ($entry) { $entry.Drops } else { -1 }
}

function Get-TreeTicks([int] $root) {
    # utime + stime of a process and its children (Kamailio's workers), from /proc/<pid>/stat.
    $ticks = 0L
    $pids = @($root) + @((& pgrep -P $root 2>$null) | ForEach-Object { [int] $_ })
    foreach ($p in $pids) {
        $stat = Get-Content "/proc/$p/stat" -Raw -ErrorAction SilentlyContinue
        if (-not $stat) { continue }
        $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        $ticks += [long] $f[11] + [long] $f[12]
    }
    $ticks
}

# ---------------------------------------------------------------- Kamailio

function Start-Kamailio([string] $label) {
    $ports = Get-FreeUdpPorts 5
    $runDir = [System.IO.Directory]::CreateTempSubdirectory('sipactors-calls-kamailio-').FullName
    $config = Join-Path $runDir 'kamailio.cfg'
    [System.IO.File]::WriteAllText($config, $Template.Replace('%%MODULES%%', $ModulesDir).Replace('%%RUN_DIR%%', $runDir).
        Replace('%%UDP_PORT%%', [string] $ports[0]).Replace('%%TCP_PORT%%', [string] $ports[1]).Replace('%%WS_PORT%%', [string] $ports[2]).
        Replace('%%TLS_PORT%%', [string] $ports[3]).Replace('%%WSS_PORT%%', [string] $ports[4]))
    $log = Join-Path $OutputDirectory "kamailio-$label.log"
    $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $start.ArgumentList.Add('-c')
    $start.ArgumentList.Add('exec "$0" "$@" <"/dev/null" >"$CALLS_LOG" 2>&1')
    foreach ($a in @($Tools.kamailio, '-f', $config, '-DD', '-E', '-Y', $runDir, '-P', (Join-Path $runDir 'kamailio.pid'), '-m', '512', '-M', '16')) { $start.ArgumentList.Add($a) }
    $start.Environment['CALLS_LOG'] = $log
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $kamailio = [pscustomobject]@{ Process = $process; Port = $ports[0]; RunDir = $runDir; Log = $log }
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($process.HasExited) { throw "Kamailio did not start (exit $($process.ExitCode)): $(Get-Content $log -Tail 20 -ErrorAction SilentlyContinue)" }
        if (Test-Path (Join-Path $runDir 'ctl')) {
            & $Tools.kamcmd -s "unix:$runDir/ctl" core.uptime *> $null
            if ($LASTEXITCODE -eq 0) { return $kamailio }
        }
        Start-Sleep -Milliseconds 100
    }
    Stop-Kamailio $kamailio
    throw "Kamailio did not answer on its control socket within 20 s"
}

function Stop-Kamailio($kamailio) {
    if (-not $kamailio.Process.HasExited) {
        & kill -TERM $kamailio.Process.Id 2>$null
        if (-not $kamailio.Process.WaitForExit(10000)) { $kamailio.Process.Kill($true) }
    }
    Remove-Item -Recurse -Force $kamailio.RunDir -ErrorAction SilentlyContinue
}

function Get-KamailioInvites($kamailio) {
    $output = (& $Tools.kamcmd -s "unix:$($kamailio.RunDir)/ctl" stats.get_statistics core: 2>&1) -join "`n"
    $match = [regex]::Match($output, 'core:rcv_req\w*_invite\s*=\s*(\d+)')
    if (-not $match.Success) { throw "kamcmd stats failed: $output" }
    [long] $match.Groups[1].Value
}

# ---------------------------------------------------------------- the two tools

function Invoke-Sipp($kamailio, [int] $rate, [int] $calls, [int] $attempt) {
    $label = "sipp-$rate-$attempt"
    $uasPort, $uacPort = Get-FreeUdpPorts 2
    $timeout = "$($Seconds + 60)s"
    $uas = Start-Timed $Tools.sipp @('-sf', $UasScenario, '-i', '127.0.0.1', '-p', [string] $uasPort, '-m', [string] $calls, '-t', 'u1',
        '-buff_size', '8388608', '-nostdin', '-timeout', $timeout) "$label-uas"
    Start-Sleep -Milliseconds 500
    $stats = Join-Path $OutputDirectory "$label-uac.csv"
    Remove-Item $stats -ErrorAction SilentlyContinue
    $uac = Start-Timed $Tools.sipp @("127.0.0.1:$uasPort", '-rsa', "127.0.0.1:$($kamailio.Port)", '-sf', $UacScenario, '-s', 'service', '-i', '127.0.0.1',
        '-p', [string] $uacPort, '-r', [string] $rate, '-rp', '1000', '-m', [string] $calls, '-d', [string] [int] ($Hold * 1000), '-t', 'u1',
        '-buff_size', '8388608', '-nostdin', '-timeout', $timeout, '-trace_stat', '-stf', $stats, '-fd', '1') "$label-uac"
    # SIPp's -timeout did not end a UAC whose last calls hung (seen at 400/s): bounded here.
    $ports = @($uasPort, $uacPort)
    $drops = Wait-Sampling $uac ($Seconds + 60) { param($table) $table.Keys | Where-Object { $ports -contains $table[$_].Port } }
    if (-not $uac.HasExited) { & pkill -TERM -P $uac.Id 2>$null; $uac.WaitForExit(10000) | Out-Null }
    # The UAS ends by itself after its -m calls; one the UAC gave up on keeps it waiting. SIGTERM
    # to SIPp, the child of /usr/bin/time, so time still writes what it used.
    if (-not $uas.WaitForExit(10000)) { & pkill -TERM -P $uas.Id 2>$null; $uas.WaitForExit(10000) | Out-Null }
    $lines = @(Get-Content $stats | Where-Object { $_ })
    $names = $lines[0].Split(';'); $values = $lines[-1].Split(';')
    $value = { param($name) [long] $values[[array]::IndexOf($names, $name)] }
    $uacTime = Read-Time "$label-uac"; $uasTime = Read-Time "$label-uas"
    [pscustomobject]@{
        Placed = & $value 'OutgoingCall(C)'; Answered = & $value 'SuccessfulCall(C)'; Failed = & $value 'FailedCall(C)'
        Retransmissions = & $value 'Retransmissions(C)'; ExitCode = $uac.ExitCode
        Cpu = $uacTime.Cpu + $uasTime.Cpu; Wall = $uacTime.Wall; Detail = "UAC $($uacTime.Cpu) CPU s, UAS $($uasTime.Cpu) CPU s"
        SetupP99Ms = $null; RcvbufDrops = $drops
    }
}

function Invoke-SipActors($kamailio, [string] $dll, [int] $rate, [int] $calls, [int] $attempt) {
    $label = "sipactors-$rate-$attempt"
    $report = Join-Path $OutputDirectory "$label.json"
    Remove-Item $report -ErrorAction SilentlyContinue
    $process = Start-Timed $Tools.dotnet @($dll, 'calls', '--server', "udp://127.0.0.1:$($kamailio.Port)", '--domain', '127.0.0.1', '--accounts', [string] $Accounts,
        '--cps', [string] $rate, '--hold', $Hold.ToString($Inv), '--calls', [string] $calls, '--duration', [string] ($Seconds + 60), '--quiet', '--report', $report) $label
    # The tool is dotnet, the child of /usr/bin/time; its UDP socket is the one all accounts share.
    $drops = Wait-Sampling $process 86400 { param($table) foreach ($child in @(& pgrep -P $process.Id 2>$null)) { Get-SocketInodes ([int] $child) } }
    $process.WaitForExit()
    $r = Get-Content $report -Raw | ConvertFrom-Json
    $time = Read-Time $label
    [pscustomobject]@{
        Placed = [long] $r.callsAttempted; Answered = [long] $r.callsAnswered; Failed = [long] $r.callsFailed
        Retransmissions = [long] $r.retransmissions; ExitCode = $process.ExitCode
        Cpu = $time.Cpu; Wall = $time.Wall; Detail = "registration and un-registration of $Accounts accounts included; causes: $(($r.failuresByCause.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')"
        SetupP99Ms = [double] $r.setupMs.p99; RcvbufDrops = $drops
    }
}

function Build-Cli {
    $project = Join-Path $Repo 'src/SipActors.Cli'
    if (-not $NoBuild) {
        Write-Step "dotnet build $project -c $Configuration"
        $output = & $Tools.dotnet build $project -c $Configuration -nologo -v q 2>&1
        if ($LASTEXITCODE -ne 0) { throw "dotnet build failed:`n$($output -join "`n")" }
    }
    $dll = Get-ChildItem (Join-Path $project "bin/$Configuration/net*/SipActors.Cli.dll") | Sort-Object LastWriteTime | Select-Object -Last 1
    if (-not $dll) { throw "SipActors.Cli.dll was not found (dotnet build src/SipActors.Cli -c $Configuration)" }
    $dll.FullName
}

# ---------------------------------------------------------------- the comparison

$dll = if ($Tool -ne 'sipp') { Build-Cli } else { $null }
$runs = [System.Collections.Generic.List[object]]::new()
$best = [ordered]@{}
foreach ($name in @('sipp', 'sipactors')) {
    if ($Tool -ne 'both' -and $Tool -ne $name) { continue }
    $best[$name] = $null
    foreach ($rate in $RateList) {
        $calls = $rate * $Seconds
        for ($attempt = 1; $attempt -le 2; $attempt++) {
        Write-Step "$name`: $calls calls at $rate/s, hold $Hold s$(if ($attempt -gt 1) { ' (again: one failing run on a shared machine may be noise)' })"
        $kamailio = Start-Kamailio "$name-$rate-$attempt"
        try {
            $load = (Get-Content /proc/loadavg).Split(' ')[0]
            $invites0 = Get-KamailioInvites $kamailio
            $kamTicks0 = Get-TreeTicks $kamailio.Process.Id
            $result = if ($name -eq 'sipp') { Invoke-Sipp $kamailio $rate $calls $attempt } else { Invoke-SipActors $kamailio $dll $rate $calls $attempt }
            $kamCpu = ((Get-TreeTicks $kamailio.Process.Id) - $kamTicks0) / $ClockTicks
            $invites = (Get-KamailioInvites $kamailio) - $invites0
            $kamDrops = Get-PortDrops $kamailio.Port
        }
        finally { Stop-Kamailio $kamailio }
        $zero = $result.ExitCode -eq 0 -and $result.Failed -eq 0 -and $result.Answered -eq $calls
        $run = [ordered]@{
            tool = $name; rate = $rate; attempt = $attempt; calls = $calls; placed = $result.Placed; answered = $result.Answered; failed = $result.Failed
            zeroFailure = $zero; exitCode = $result.ExitCode; retransmissions = $result.Retransmissions
            kamailioInvites = $invites; kamailioInvitesPerCall = if ($result.Placed -gt 0) { [math]::Round($invites / $result.Placed, 3) } else { 0 }
            cpuSeconds = [math]::Round($result.Cpu, 2); wallSeconds = [math]::Round($result.Wall, 2)
            cores = if ($result.Wall -gt 0) { [math]::Round($result.Cpu / $result.Wall, 2) } else { 0 }
            kamailioCpuSeconds = [math]::Round($kamCpu, 2); kamailioRcvbufDrops = $kamDrops; toolRcvbufDrops = $result.RcvbufDrops; setupP99Ms = $result.SetupP99Ms; loadAverageAtStart = $load; detail = $result.Detail
        }
        $runs.Add([pscustomobject] $run)
        Write-Host ("    {0} placed, {1} answered, {2} failed, exit {3}; Kamailio INVITEs {4} ({5}/call); {6} CPU s over {7} s = {8} cores; Kamailio {9} CPU s; receive-buffer drops: Kamailio {10}, {11} {12}; load {13}" -f `
                $run.placed, $run.answered, $run.failed, $run.exitCode, $run.kamailioInvites, $run.kamailioInvitesPerCall, $run.cpuSeconds, $run.wallSeconds, $run.cores, $run.kamailioCpuSeconds, $kamDrops, $name, $result.RcvbufDrops, $load)
        if ($zero) { break }
        }
        if (-not $zero) { break }
        $best[$name] = $rate
    }
}

$summary = [ordered]@{
    date = [DateTime]::UtcNow.ToString('o'); machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    seconds = $Seconds; hold = $Hold; accounts = $Accounts; highestZeroFailureRate = $best; runs = $runs
}
$summary | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $OutputDirectory 'comparison.json')
Write-Host ''
Write-Host ('{0,-10} {1,6} {2,8} {3,8} {4,7} {5,8} {6,10} {7,7} {8,9} {9,9} {10,9} {11,6}' -f 'tool', 'cps', 'placed', 'answered', 'failed', 'INV/call', 'CPU s', 'cores', 'kam CPU', 'kam drop', 'tool drop', 'load')
foreach ($r in $runs) {
    Write-Host ('{0,-10} {1,6} {2,8} {3,8} {4,7} {5,8} {6,10} {7,7} {8,9} {9,9} {10,9} {11,6}' -f $r.tool, $r.rate, $r.placed, $r.answered, $r.failed, $r.kamailioInvitesPerCall, $r.cpuSeconds, $r.cores, $r.kamailioCpuSeconds, $r.kamailioRcvbufDrops, $r.toolRcvbufDrops, $r.loadAverageAtStart)
}
foreach ($k in $best.Keys) { Write-Host "highest zero-failure rate, $k`: $(if ($null -eq $best[$k]) { 'none of the rates tried' } else { "$($best[$k]) calls/s" })" }
Write-Host "written: $(Join-Path $OutputDirectory 'comparison.json')"
if ($best.Values -contains $null) { exit 1 }
