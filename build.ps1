#!/usr/bin/env pwsh
# SipActors build tasks. Run with: dotnet tool restore && dotnet pwsh ./build.ps1 <task>
#   build  compile the solution (Release)
#   test   install the test peers if missing (Kamailio, SIPp), then run every test project
#   bench  BenchmarkDotNet micro-benchmarks, then the load comparison when tests/load exists
#   demo   the main job on the embedded default target
#   pack   NuGet packages into artifacts/packages
#
# Extra arguments go in one quoted string, split at spaces: `pwsh -File` passes no arrays, and it
# reads a bare `--filter` (even after `--`) as one of this script's parameters.
#   dotnet pwsh ./build.ps1 bench -BenchArgs '--filter *Parser* --job short'
#   dotnet pwsh ./build.ps1 demo -DemoArgs '--help'
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'demo', 'pack')]
    [string] $Task = 'build',

    # Extra arguments for BenchmarkDotNet; without a --filter of their own, --filter '*' is added.
    [string[]] $BenchArgs = @(),

    # Extra arguments for `sipactors demo`.
    [string[]] $DemoArgs = @()
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
Set-Location $PSScriptRoot
$Configuration = 'Release'
# Plain text in CI logs and pipes: no colour escapes around warnings.
if ($env:CI -eq 'true' -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

# Debian 12 packages for the integration tests' peers (Kamailio 5.6 with WS and TLS, SIPp).
$TestPeerPackages = @('kamailio', 'kamailio-websocket-modules', 'kamailio-tls-modules', 'sip-tester')

function Split-Arguments([string[]] $values) {
    @($values | ForEach-Object { $_ -split '\s+' } | Where-Object { $_ })
}

function Invoke-Verbatim([string] $file, [string[]] $arguments, [string] $workingDirectory = $PWD) {
    # On Unix PowerShell expands wildcards in arguments taken from variables (`--filter *` became
    # the folder's file names); a process started with an argument list gets them untouched.
    $start = [System.Diagnostics.ProcessStartInfo]::new($file)
    foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.WorkingDirectory = $workingDirectory
    $process = [System.Diagnostics.Process]::Start($start)
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "$file $($arguments -join ' ') exited with code $($process.ExitCode)" }
}

function Write-Step([string] $message) { Write-Host "==> $message" -ForegroundColor Cyan }

function Test-Tool([string] $name) {
    # /usr/sbin holds kamailio and is not on a normal user's PATH; the test fixtures look there too.
    [bool] (Get-Command $name -ErrorAction SilentlyContinue) -or (Test-Path "/usr/sbin/$name")
}

function Test-KamailioModule([string] $module) {
    [bool] (Get-ChildItem "/usr/lib/*/kamailio/modules/$module.so" -ErrorAction SilentlyContinue)
}

function Install-TestPeers {
    $missing = @()
    if (-not (Test-Tool kamailio)) { $missing += 'kamailio' }
    if (-not (Test-KamailioModule websocket)) { $missing += 'kamailio-websocket-modules' }
    if (-not (Test-KamailioModule tls)) { $missing += 'kamailio-tls-modules' }
    if (-not (Test-Tool sipp)) { $missing += 'sip-tester (sipp)' }
    if ($missing.Count -eq 0) {
        Write-Step 'Test peers present: kamailio (with websocket and tls modules), sipp'
        return
    }

    $install = "apt-get install -y $($TestPeerPackages -join ' ')"
    $isRoot = (& id -u) -eq '0'
    if (-not $isRoot -or -not (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Warning "Missing test peers: $($missing -join ', '). Install them with: $install"
        Write-Warning 'Continuing: the integration tests will fail and say what to install.'
        return
    }
    Write-Step "Missing test peers: $($missing -join ', '). Installing Debian packages: $($TestPeerPackages -join ' ')"
    Write-Host "    apt-get update"
    Write-Host "    DEBIAN_FRONTEND=noninteractive $install"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -q
    & apt-get install -y -q @TestPeerPackages
    Stop-PackagedKamailio
}

function Stop-PackagedKamailio {
    # The package may start Kamailio as a system service on port 5060 (systemd starts it; the
    # sysv script does not unless /etc/default/kamailio says RUN_KAMAILIO=yes). The tests run
    # their own instances on free loopback ports, so stop the service's, and only the service's.
    $asked = $false
    if ((Test-Path /run/systemd/system) -and (Get-Command systemctl -ErrorAction SilentlyContinue)) {
        Write-Step 'Stopping the kamailio system service: systemctl stop kamailio'
        try { & systemctl stop kamailio.service } catch { Write-Warning "systemctl stop kamailio: $_" }
        $asked = $true
    }
    $pidFile = '/run/kamailio/kamailio.pid'
    if (Test-Path $pidFile) {
        $servicePid = (Get-Content $pidFile -Raw).Trim()
        if ($servicePid -match '^\d+$' -and (Get-Process -Id ([int] $servicePid) -ErrorAction SilentlyContinue)) {
            Write-Step "Stopping the packaged Kamailio: pid $servicePid from $pidFile"
            try { & kill -TERM $servicePid } catch { Write-Warning "kill $servicePid`: $_" }  # it may just have exited
            $asked = $true
        }
    }
    # Whatever still runs the packaged configuration (forked children included) is the service's too.
    $deadline = (Get-Date).AddSeconds($(if ($asked) { 10 } else { 0 }))
    while ($true) {
        $left = @(Get-Process -Name kamailio -ErrorAction SilentlyContinue |
            Where-Object { $_.CommandLine -match '/etc/kamailio/|/run/kamailio/' })
        if ($left.Count -eq 0) { return }
        if ((Get-Date) -ge $deadline) { break }
        Start-Sleep -Milliseconds 500
    }
    Write-Step "Killing leftover packaged Kamailio processes: $($left.Id -join ', ')"
    $left | Stop-Process -Force -ErrorAction SilentlyContinue
}

function Invoke-Build {
    Write-Step "dotnet build SipActors.sln -c $Configuration"
    & dotnet build SipActors.sln -c $Configuration
}

function Invoke-Tests {
    Install-TestPeers
    $results = Join-Path $PSScriptRoot 'artifacts/test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    Invoke-Build

    # Every project under tests/ that declares itself a test project (the benchmarks do not).
    # One at a time: the integration tests start Kamailio and SIPp and want the two cores to themselves.
    $projects = @(Get-ChildItem tests -Filter *.csproj -Recurse |
        Where-Object { (Get-Content $_.FullName -Raw) -match '<IsTestProject>\s*true' } |
        Sort-Object FullName)
    $runFailures = @()
    foreach ($project in $projects) {
        Write-Step "dotnet test $($project.BaseName)"
        try {
            # One TRX per project, named after it, so no run overwrites another's.
            & dotnet test $project.FullName -c $Configuration --no-build --results-directory $results `
                --logger "trx;LogFileName=$($project.BaseName).trx" --logger 'console;verbosity=normal'
        }
        catch {
            $runFailures += $project.BaseName
        }
    }

    $passed = 0; $failed = 0; $skipped = 0; $total = 0
    foreach ($trx in Get-ChildItem $results -Filter *.trx -Recurse -ErrorAction SilentlyContinue | Sort-Object Name) {
        [xml] $doc = Get-Content $trx.FullName -Raw
        $c = $doc.TestRun.ResultSummary.Counters
        $p = [int] $c.passed
        $f = [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        $s = [int] $c.notExecuted
        Write-Host ("    {0,-34} {1,5} passed {2,4} failed {3,4} skipped" -f $trx.BaseName, $p, $f, $s)
        $passed += $p; $failed += $f; $skipped += $s; $total += [int] $c.total
        # CI keeps only the tail of the log: name each failed test there, with its message's first lines.
        foreach ($r in @($doc.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' })) {
            Write-Host ("      FAILED {0} ({1})" -f $r.testName, $r.duration)
            $message = [string] $r.Output.ErrorInfo.Message
            foreach ($l in @($message -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 6)) {
                $t = $l.TrimEnd()
                if ($t.Length -gt 300) { $t = $t.Substring(0, 300) + '…' }
                Write-Host "        $t"
            }
        }
    }
    if ($runFailures.Count -gt 0) {
        Write-Warning "dotnet test exited non-zero for: $($runFailures -join ', ') (failed tests, or a run that aborted or crashed)"
    }
    if ($total -eq 0) { Write-Warning 'No test was executed.' }
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($runFailures.Count -gt 0 -or $failed -gt 0 -or $total -eq 0) { exit 1 }
}

function Invoke-Bench {
    $extra = @(Split-Arguments $BenchArgs)
    if (-not ($extra -contains '--filter' -or $extra -contains '-f')) { $extra = @('--filter', '*') + $extra }
    Write-Step "BenchmarkDotNet micro-benchmarks: dotnet run -c $Configuration -- $($extra -join ' ')"
    # Run from the project folder so BenchmarkDotNet.Artifacts lands next to the benchmarks.
    Invoke-Verbatim dotnet (@('run', '-c', $Configuration, '--') + $extra) (Join-Path $PSScriptRoot 'tests/SipActors.Benchmarks')

    # Memory per idle registered account, against a registrar in another process so its bindings are not counted.
    Write-Step 'Memory per registered account: 10,000 accounts against `sipactors registrar` in another process'
    & dotnet build src/SipActors.Cli -c $Configuration | Out-Null
    New-Item -ItemType Directory -Force artifacts | Out-Null
    $registrar = Start-Process dotnet -ArgumentList @('src/SipActors.Cli/bin/Release/net10.0/SipActors.Cli.dll', 'registrar', '--listen', 'udp://127.0.0.1:25160', '--quiet') `
        -PassThru -RedirectStandardOutput artifacts/registrar.log
    try {
        Start-Sleep -Seconds 2
        Invoke-Verbatim dotnet @('run', '-c', $Configuration, '--', 'memory', '--server', 'udp://127.0.0.1:25160', '--accounts', '10000') (Join-Path $PSScriptRoot 'tests/SipActors.Benchmarks')
    }
    finally {
        Stop-Process -Id $registrar.Id -ErrorAction SilentlyContinue
    }

    if (Test-Path tests/load/run.ps1) {
        Install-TestPeers
        Write-Step 'Load comparison with SIPp against Kamailio: tests/load/run.ps1'
        & ./tests/load/run.ps1
        if (-not $?) { exit 1 }
    }
    else {
        throw 'tests/load/run.ps1 is missing'
    }
}

switch ($Task) {
    'build' { Invoke-Build }
    'test' { Invoke-Tests }
    'bench' { Invoke-Bench }
    'demo' {
        Write-Step 'sipactors demo (dotnet run --project src/SipActors.Cli)'
        Invoke-Verbatim dotnet (@('run', '-c', $Configuration, '--project', 'src/SipActors.Cli', '--', 'demo') + @(Split-Arguments $DemoArgs))
    }
    'pack' {
        Write-Step "dotnet pack SipActors.sln -c $Configuration -o artifacts/packages"
        & dotnet pack SipActors.sln -c $Configuration -o artifacts/packages
    }
}
