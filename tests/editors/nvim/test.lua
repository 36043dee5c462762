-- Headless Neovim test of editors/neovim against the real server. Loaded as the user config:
--
--   nvim --headless -i NONE -u tests/editors/nvim/test.lua
--
-- Environment (run.sh sets it): DOCKWISE_REPO (repository root), DOCKWISE_WS (a scratch
-- workspace holding the fixtures), DOCKWISE_BIN (the server), DOCKWISE_NVIM_MODE (`setup`:
-- require('dockwise').setup{...}; `enable`: only vim.lsp.enable('dockwise'), dockwise on PATH),
-- DOCKWISE_TIMEOUT (ms per wait, default 10000).
--
-- Output goes to stdout (headless Neovim shows no messages there); the exit code is 0 only if
-- every check passed.

local repo = assert(vim.env.DOCKWISE_REPO, 'DOCKWISE_REPO is not set')
local ws = assert(vim.env.DOCKWISE_WS, 'DOCKWISE_WS is not set')
local bin = assert(vim.env.DOCKWISE_BIN, 'DOCKWISE_BIN is not set')
local mode = vim.env.DOCKWISE_NVIM_MODE or 'setup'
local timeout = tonumber(vim.env.DOCKWISE_TIMEOUT or '10000')

-- Like a plugin manager would: the plugin folder on 'runtimepath' before filetype detection
-- is switched on (which Neovim does after this file), so ftdetect/ and lsp/ are found.
vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
vim.opt.swapfile = false

local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local passed, failed = 0, 0
local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    out('PASS ' .. what)
  else
    failed = failed + 1
    out('FAIL ' .. what .. (detail and (': ' .. detail) or ''))
  end
  return ok
end

local function get_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'dockwise' })
  end
  local list = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'dockwise' then
      table.insert(list, c)
    end
  end
  return list
end

local function all_clients()
  return (vim.lsp.get_clients or vim.lsp.get_active_clients)()
end

local function buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function diagnostics_with(bufnr, code)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(d) == code then
      table.insert(found, d)
    end
  end
  return found
end

-- A diagnostic of `code` on a line that still holds `text`: after an edit, the diagnostics
-- Neovim has may belong to the text before it until the server's answer arrives.
local function current_diagnostic(bufnr, code, text)
  for _, d in ipairs(diagnostics_with(bufnr, code)) do
    local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1]
    if line and line:find(text, 1, true) then
      return d
    end
  end
  return nil
end

local function wait_for(what, fn)
  local ok = vim.wait(timeout, fn, 20)
  return check(ok, what, ok and nil or ('not within ' .. timeout .. ' ms'))
end

local function request(bufnr, method, params)
  local responses = vim.lsp.buf_request_sync(bufnr, method, params, timeout) or {}
  for _, r in pairs(responses) do
    if r.result then
      return r.result
    end
  end
  return nil
end

local function hover_text(bufnr, line, character)
  local result = request(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = character },
  })
  if not result or not result.contents then
    return ''
  end
  local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
  return vim.trim(table.concat(lines, '\n'))
end

local function completion_labels(bufnr, line, character)
  local result = request(bufnr, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = character },
  })
  local items = result and (result.items or result) or {}
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  return labels
end

local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

-- Runs the client's own code-action flow (request, menu, resolve, apply) with the menu
-- answered by picking the rule's fix rather than the "Ignore ..." action.
local function apply_quick_fix(bufnr, diagnostic)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local titles = {}
  local original_select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    local chosen
    for _, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(titles, title)
      if not chosen and not title:find('Ignore', 1, true) then
        chosen = item
      end
    end
    on_choice(chosen)
  end
  local before = buf_text(bufnr)
  if vim.fn.has('nvim-0.8') == 1 then
    vim.lsp.buf.code_action({ context = { only = { 'quickfix' } } })
  else
    vim.lsp.buf.code_action({ only = { 'quickfix' } })
  end
  local changed = vim.wait(timeout, function()
    return buf_text(bufnr) ~= before
  end, 20)
  vim.ui.select = original_select
  out('ACTIONS ' .. table.concat(titles, ' | '))
  return changed
end

-- Applies the quick fix of `diagnostic` and checks that its line then reads `expected`.
local function check_quick_fix(bufnr, diagnostic, what_changed, expected, what_fixed)
  local line = diagnostic.lnum
  check(apply_quick_fix(bufnr, diagnostic), what_changed)
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  out('LINE ' .. text)
  check(text == expected, what_fixed, text)
end

local function show_diagnostics(label, bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    out(('DIAG %s %d:%d %s sev=%d %s'):format(label, d.lnum + 1, d.col + 1, tostring(code_of(d)), d.severity, d.message))
  end
end

local function edit(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function test_filetypes()
  -- The names the module promises (editors/neovim/README.md) and a few it must leave alone.
  local expected = {
    ['Dockerfile'] = 'dockerfile',
    ['Containerfile'] = 'dockerfile',
    ['Dockerfile.dev'] = 'dockerfile',
    ['api.Dockerfile'] = 'dockerfile',
    ['api.dockerfile'] = 'dockerfile',
    ['web.containerfile'] = 'dockerfile',
    ['compose.yaml'] = 'yaml.docker-compose',
    ['compose.yml'] = 'yaml.docker-compose',
    ['docker-compose.yaml'] = 'yaml.docker-compose',
    ['docker-compose.yml'] = 'yaml.docker-compose',
    ['compose.prod.yaml'] = 'yaml.docker-compose',
    ['docker-compose.override.yml'] = 'yaml.docker-compose',
    ['compose-dev.yml'] = 'yaml.docker-compose',
    ['values.yaml'] = 'yaml',
    ['composer.yaml'] = 'yaml',
  }
  local dir = ws .. '/names'
  vim.fn.mkdir(dir, 'p')
  local wrong = {}
  for name, want in pairs(expected) do
    local bufnr = edit(dir .. '/' .. name)
    local got = vim.bo[bufnr].filetype
    if got ~= want then
      table.insert(wrong, ('%s: %s, expected %s'):format(name, got == '' and '(none)' or got, want))
    end
    vim.cmd('bwipeout!')
  end
  table.sort(wrong)
  check(#wrong == 0, 'filetype detection of ' .. vim.tbl_count(expected) .. ' names', table.concat(wrong, '; '))
end

local function test_dockerfile()
  local bufnr = edit(ws .. '/Dockerfile')
  check(vim.bo[bufnr].filetype == 'dockerfile', 'Dockerfile has filetype dockerfile', vim.bo[bufnr].filetype)
  if not wait_for('dockwise attached to the Dockerfile', function()
    return #get_clients(bufnr) > 0
  end) then
    return nil
  end
  local client = get_clients(bufnr)[1]
  check(
    vim.loop.fs_realpath(client.config.root_dir or '') == vim.loop.fs_realpath(ws),
    'root is the folder holding .git',
    tostring(client.config.root_dir)
  )

  local t0 = vim.loop.hrtime()
  wait_for('DF006 diagnostic on `run`', function()
    return #diagnostics_with(bufnr, 'DF006') > 0
  end)
  out(('INFO first diagnostics after %d ms'):format((vim.loop.hrtime() - t0) / 1e6))
  show_diagnostics('Dockerfile', bufnr)
  if mode == 'setup' then
    -- setup({settings = ...}) raised DF006 (a style finding by default) to an error and
    -- switched DF080 off; the `enable` run, without settings, sees the defaults.
    local df006 = diagnostics_with(bufnr, 'DF006')[1]
    check(df006 and df006.severity == vim.diagnostic.severity.ERROR, 'settings reached the server (DF006 is an error)')
    check(#diagnostics_with(bufnr, 'DF080') == 0, 'settings reached the server (DF080 ignored)')
  else
    local df006 = diagnostics_with(bufnr, 'DF006')[1]
    check(df006 and df006.severity ~= vim.diagnostic.severity.ERROR, 'default severity without settings')
    check(#diagnostics_with(bufnr, 'DF080') > 0, 'DF080 reported without settings')
  end

  local hover = hover_text(bufnr, 0, 1)
  out('HOVER ' .. (vim.split(hover, '\n')[1] or ''))
  check(hover:find('FROM', 1, true) ~= nil, 'hover on FROM describes FROM', hover:sub(1, 80))

  local last = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, last, last, false, { 'HEALTH' })
  local labels = completion_labels(bufnr, last, 6)
  out('COMPLETION ' .. table.concat(vim.list_slice(labels, 1, 8), ', '))
  check(contains(labels, 'HEALTHCHECK'), 'completion offers HEALTHCHECK')
  vim.api.nvim_buf_set_lines(bufnr, last, last + 1, false, {})

  local df006
  wait_for('DF006 reported on `run` after the edits', function()
    df006 = current_diagnostic(bufnr, 'DF006', 'run echo')
    return df006 ~= nil
  end)
  if df006 then
    check_quick_fix(bufnr, df006, 'quick fix changed the buffer', 'RUN echo hello', 'quick fix upper-cased the keyword')
    wait_for('DF006 gone after the fix', function()
      return #diagnostics_with(bufnr, 'DF006') == 0
    end)
  end
  return client
end

local function test_compose(dockerfile_client)
  local bufnr = edit(ws .. '/compose.yaml')
  check(vim.bo[bufnr].filetype == 'yaml.docker-compose', 'compose.yaml has filetype yaml.docker-compose', vim.bo[bufnr].filetype)
  if not wait_for('dockwise attached to compose.yaml', function()
    return #get_clients(bufnr) > 0
  end) then
    return
  end
  if dockerfile_client then
    check(get_clients(bufnr)[1].id == dockerfile_client.id, 'one client for the project')
  end
  wait_for('CP018 diagnostic on the unquoted port', function()
    return #diagnostics_with(bufnr, 'CP018') > 0
  end)
  show_diagnostics('compose', bufnr)

  local hover = hover_text(bufnr, 2, 6)
  out('HOVER ' .. (vim.split(hover, '\n')[1] or ''))
  check(hover ~= '', 'hover on `image`')

  -- A new key inside the service.
  vim.api.nvim_buf_set_lines(bufnr, 3, 3, false, { '    heal' })
  local labels = completion_labels(bufnr, 3, 8)
  out('COMPLETION ' .. table.concat(vim.list_slice(labels, 1, 8), ', '))
  check(contains(labels, 'healthcheck'), 'completion offers healthcheck')
  vim.api.nvim_buf_set_lines(bufnr, 3, 4, false, {})

  local cp018
  wait_for('CP018 reported on the port after the edits', function()
    cp018 = current_diagnostic(bufnr, 'CP018', '8080:80')
    return cp018 ~= nil
  end)
  if cp018 then
    check_quick_fix(bufnr, cp018, 'quick fix changed compose.yaml', '      - "8080:80"', 'quick fix quoted the port')
  end
end

-- A compose file whose name says nothing: the server can only know it from the language id,
-- which Neovim takes from the filetype.
local function test_language_id()
  local bufnr = edit(ws .. '/stack.yml')
  check(vim.bo[bufnr].filetype == 'yaml', 'stack.yml is plain yaml', vim.bo[bufnr].filetype)
  vim.bo[bufnr].filetype = 'yaml.docker-compose'
  wait_for('language id yaml.docker-compose makes it compose (CP018)', function()
    return #diagnostics_with(bufnr, 'CP018') > 0
  end)
end

local function test_health(version)
  vim.cmd('silent checkhealth dockwise')
  local text = buf_text(vim.api.nvim_get_current_buf())
  check(text:find(version, 1, true) ~= nil, 'checkhealth shows the server version')
  check(text:find('dockwise client %d+ attached') ~= nil, 'checkhealth shows the attached client')
  local problems = {}
  for _, line in ipairs(vim.split(text, '\n')) do
    if line:find('ERROR') or line:find('WARNING') then
      table.insert(problems, vim.trim(line))
    end
  end
  check(#problems == 0, 'checkhealth reports no error or warning', table.concat(problems, ' / '))
  if #problems > 0 or vim.env.DOCKWISE_SHOW_HEALTH then
    out(text)
  end
end

local function run()
  out('INFO ' .. vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1] .. ', mode ' .. mode)
  -- Before any client exists, so the scratch buffers it opens start no server. Detection
  -- comes from ftdetect/ here (setup() registers the same rules once).
  test_filetypes()
  if mode == 'setup' then
    require('dockwise').setup({
      cmd = { bin, 'lsp' },
      settings = { ignore = { 'DF080' }, severity = { DF006 = 'error' } },
    })
  else
    vim.lsp.enable('dockwise')
  end
  local version = vim.trim(vim.fn.system({ bin, '--version' }))
  local client = test_dockerfile()
  test_compose(client)
  test_language_id()
  test_health(version)
end

local function finish()
  for _, c in ipairs(all_clients()) do
    c.stop(true)
  end
  out(('summary passed=%d failed=%d'):format(passed, failed))
  vim.cmd(failed == 0 and 'qall!' or 'cquit 1')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = xpcall(run, debug.traceback)
      if not ok then
        check(false, 'harness error', err)
      end
      finish()
    end)
  end,
})
