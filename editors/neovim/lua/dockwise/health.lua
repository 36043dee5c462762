-- :checkhealth dockwise

local M = {}

-- The report functions moved from require('health').report_* (0.7-0.9) to
-- vim.health.start/ok/... (0.10+, the old names were later dropped).
local function reporter()
  local h = vim.health
  if h and h.start then
    return { start = h.start, ok = h.ok, info = h.info, warn = h.warn, error = h.error }
  end
  h = (h and h.report_start) and h or require('health')
  return {
    start = h.report_start,
    ok = h.report_ok,
    info = h.report_info,
    warn = h.report_warn,
    error = h.report_error,
  }
end

local function clients_of(bufnr)
  local list
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = bufnr, name = 'dockwise' })
  else
    list = {}
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'dockwise' then
        table.insert(list, c)
      end
    end
  end
  return list
end

-- The configuration in force: setup()'s, else what vim.lsp.enable would use, else defaults.
local function current_config()
  local dockwise = require('dockwise')
  if dockwise.current then
    return dockwise.current, 'setup()'
  end
  if vim.fn.has('nvim-0.11') == 1 then
    local ok, resolved = pcall(function()
      return vim.lsp.config.dockwise
    end)
    if ok and resolved then
      return resolved, "vim.lsp.config('dockwise')"
    end
  end
  return dockwise.config(), 'defaults (setup() not called)'
end

function M.check()
  local r = reporter()
  local filetype = require('dockwise.filetype')

  r.start('Neovim')
  local version = vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1] or '?'
  if vim.fn.has('nvim-0.11') == 1 then
    r.ok(version .. ': client via vim.lsp.config / vim.lsp.enable')
  elseif vim.fn.has('nvim-0.7') == 1 then
    r.ok(version .. ': client started from FileType autocommands')
  else
    r.error(version .. ': dockwise needs Neovim 0.7 or newer')
  end

  r.start('dockwise binary')
  local config, source = current_config()
  local cmd = type(config.cmd) == 'table' and config.cmd or nil
  if not cmd then
    r.info('cmd is a function (' .. source .. '); not checked')
  elseif vim.fn.executable(cmd[1]) == 1 then
    local path = vim.fn.exepath(cmd[1])
    local out = vim.fn.system({ cmd[1], '--version' })
    local first = vim.trim(vim.split(out, '\n')[1] or '')
    if vim.v.shell_error == 0 and first:match('^dockwise ') then
      r.ok(('%s (%s), from %s'):format(first, path, source))
    elseif vim.v.shell_error == 0 then
      r.warn(('%s does not look like dockwise: `--version` printed %q'):format(path, first))
    else
      r.error(('%s --version failed: %s'):format(path, vim.trim(out)))
    end
  else
    r.error(('`%s` not found (cmd from %s)'):format(cmd[1], source), {
      'Install dockwise (cargo install --path server) or put it on PATH',
      "or pass its path: require('dockwise').setup({ cmd = { '/path/to/dockwise', 'lsp' } })",
    })
  end

  r.start('Filetype detection')
  local samples = { 'Dockerfile', 'api.Dockerfile', 'Containerfile', 'compose.yaml', 'compose-dev.yml' }
  if vim.filetype and vim.filetype.match and vim.fn.has('nvim-0.8') == 1 then
    local wrong = {}
    for _, name in ipairs(samples) do
      local got = vim.filetype.match({ filename = name })
      if got ~= filetype.kind(name) then
        table.insert(wrong, ('%s -> %s'):format(name, tostring(got)))
      end
    end
    if #wrong == 0 then
      r.ok('Dockerfile and compose names are detected (' .. table.concat(samples, ', ') .. ')')
    else
      r.warn('Names not detected as dockwise expects: ' .. table.concat(wrong, ', '), {
        "call require('dockwise').setup() or put editors/neovim on 'runtimepath' (ftdetect/)",
      })
    end
  elseif vim.fn.exists('#dockwise_filetype') == 1 then
    r.ok('dockwise filetype autocommands are installed')
  else
    r.warn('dockwise filetype autocommands are missing: compose files stay plain yaml', {
      "call require('dockwise').setup() or put editors/neovim on 'runtimepath' (ftdetect/)",
    })
  end

  r.start('Buffers')
  local seen = 0
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(bufnr)
    local want = filetype.kind(name)
    local ft = vim.bo[bufnr].filetype
    if vim.api.nvim_buf_is_loaded(bufnr) and (want or ft == filetype.DOCKERFILE or ft == filetype.COMPOSE) then
      seen = seen + 1
      local label = ('%s (filetype %s)'):format(vim.fn.fnamemodify(name, ':~:.'), ft == '' and 'none' or ft)
      local attached = clients_of(bufnr)
      if want and ft ~= want then
        r.warn(label .. ': expected filetype ' .. want)
      elseif #attached > 0 then
        local c = attached[1]
        r.ok(('%s: dockwise client %d attached, root %s'):format(label, c.id, tostring(c.config.root_dir)))
      else
        r.warn(label .. ': no dockwise client attached', { 'the LSP log says why: :lua print(vim.lsp.get_log_path())' })
      end
    end
  end
  if seen == 0 then
    r.info('no Dockerfile or compose buffer is open')
  end
end

return M
