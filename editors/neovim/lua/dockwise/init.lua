-- Neovim client set-up for `dockwise lsp`.
--
--   require('dockwise').setup({ settings = { ignore = { 'DF003' } } })
--
-- Neovim 0.11+ goes through vim.lsp.config / vim.lsp.enable (and `lsp/dockwise.lua` beside
-- this folder works without setup). Neovim 0.7-0.10 have neither, so the client is started
-- from a FileType autocommand, one per project root.

local filetype = require('dockwise.filetype')

local M = {}

M.name = 'dockwise'
M.filetypes = { filetype.DOCKERFILE, filetype.COMPOSE }
-- Searched in this order, each from the file's folder upwards: the first one found gives the
-- root, so a repository is one workspace even when it holds several compose projects.
M.root_markers = {
  '.git',
  'dockwise.toml',
  '.dockwise.toml',
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
}

-- The configuration setup() last used, for :checkhealth.
M.current = nil

local function is_empty(t)
  return type(t) ~= 'table' or next(t) == nil
end

--- The client configuration for the given options, in the shape vim.lsp.config expects
--- (older versions take the same fields).
---@param opts table|nil
---@return table
function M.config(opts)
  opts = opts or {}
  local config = {
    cmd = opts.cmd or { 'dockwise', 'lsp' },
    filetypes = opts.filetypes or M.filetypes,
    root_markers = opts.root_markers or M.root_markers,
    settings = {},
  }
  -- The server reads settings three ways and the client versions differ in which they offer:
  -- initializationOptions (all of them), workspace/configuration with section `dockwise`
  -- (0.8+) and workspace/didChangeConfiguration (0.7 sends `settings` this way after start).
  -- An empty Lua table would be sent as a JSON array, so empty settings are left out.
  if not is_empty(opts.settings) then
    config.settings = { dockwise = opts.settings }
    config.init_options = opts.settings
  end
  for _, key in ipairs({ 'capabilities', 'on_attach', 'on_init', 'handlers', 'cmd_env', 'flags' }) do
    if opts[key] ~= nil then
      config[key] = opts[key]
    end
  end
  return config
end

-- Nearest folder holding a marker, trying the markers in order (vim.fs is 0.8+).
local function find_root(path, markers)
  local start = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(markers) do
    local dir = start
    while true do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end
M.find_root = find_root

-- Clients started by the 0.7 path, by root folder, so buffers of one project share one.
local legacy_clients = {}

local function attach_legacy(bufnr, config)
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return
  end
  local root = find_root(name, config.root_markers) or vim.fn.fnamemodify(name, ':p:h')
  local client_config = {
    name = M.name,
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = config.settings,
    init_options = config.init_options,
    capabilities = config.capabilities,
    on_attach = config.on_attach,
    on_init = config.on_init,
    handlers = config.handlers,
    cmd_env = config.cmd_env,
    flags = config.flags,
  }
  if vim.lsp.start then
    -- 0.8-0.10: vim.lsp.start reuses a running client with the same name and root.
    vim.lsp.start(client_config, { bufnr = bufnr })
    return
  end
  local id = legacy_clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config)
    legacy_clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

--- Starts dockwise for Dockerfiles and compose files.
---@param opts table|nil cmd, settings, filetypes, root_markers, capabilities, on_attach,
--- detect_filetypes (default true), autostart (default true)
function M.setup(opts)
  opts = opts or {}
  if opts.detect_filetypes ~= false then
    filetype.register()
  end
  local config = M.config(opts)
  M.current = config

  if vim.fn.executable(config.cmd[1]) == 0 then
    vim.notify(
      ('dockwise: `%s` is not executable; set `cmd` in setup() or put dockwise on PATH'):format(
        config.cmd[1]
      ),
      vim.log.levels.WARN
    )
  end

  if vim.fn.has('nvim-0.11') == 1 then
    vim.lsp.config(M.name, config)
    if opts.autostart ~= false then
      vim.lsp.enable(M.name)
    end
    return
  end

  if opts.autostart == false then
    return
  end
  local group = vim.api.nvim_create_augroup('dockwise_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      attach_legacy(args.buf, config)
    end,
  })
  -- Buffers opened before setup() ran (e.g. the file given on the command line).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      attach_legacy(bufnr, config)
    end
  end
end

return M
