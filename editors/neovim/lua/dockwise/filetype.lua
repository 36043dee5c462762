-- Which file names dockwise handles, and how Neovim learns them.
--
-- The rules mirror the server's own (server/src/text/file_kind.rs) so that a buffer gets the
-- dockwise client exactly when the server would treat the file as a Dockerfile or a compose
-- file. Matching ignores case, as the server does.

local M = {}

M.DOCKERFILE = 'dockerfile'
-- The compound filetype keeps YAML syntax and ftplugins (Neovim loads each dotted part) while
-- telling compose files apart from other YAML. Neovim sends the filetype as the LSP language
-- id, and the server recognises `yaml.docker-compose` as compose.
M.COMPOSE = 'yaml.docker-compose'

local function starts_with(s, prefix)
  return s:sub(1, #prefix) == prefix
end

local function ends_with(s, suffix)
  return suffix == '' or s:sub(-#suffix) == suffix
end

--- The filetype dockwise wants for a file name (a path or just its last part), or nil.
---@param name string
---@return string|nil
function M.kind(name)
  if type(name) ~= 'string' or name == '' then
    return nil
  end
  local lower = (name:match('([^/\\]+)$') or name):lower()
  -- `Dockerfile.dockerignore` is a per-Dockerfile ignore file, not a Dockerfile.
  if ends_with(lower, '.dockerignore') then
    return nil
  end
  for _, base in ipairs({ 'dockerfile', 'containerfile' }) do
    if lower == base or starts_with(lower, base .. '.') or ends_with(lower, '.' .. base) then
      return M.DOCKERFILE
    end
  end
  local stem = lower:match('^(.*)%.yaml$') or lower:match('^(.*)%.yml$')
  if not stem then
    return nil
  end
  for _, base in ipairs({ 'docker-compose', 'compose' }) do
    if starts_with(stem, base) then
      local rest = stem:sub(#base + 1)
      if rest == '' or rest:match('^[%.%-_]') then
        return M.COMPOSE
      end
    end
  end
  return nil
end

-- A Lua pattern matching `word` in any case, e.g. `[Dd][Oo]...`.
local function any_case(word)
  return (word:gsub('%a', function(c)
    return '[' .. c:upper() .. c:lower() .. ']'
  end))
end

-- Called by vim.filetype with the full path; returning nil lets the built-in rules decide.
local function from_path(path)
  return M.kind(path)
end

local registered = false

--- Teaches Neovim the names. Safe to call more than once.
function M.register()
  if registered then
    return
  end
  registered = true

  if vim.filetype and vim.filetype.add then
    -- The patterns only pre-select candidates (Neovim anchors them and matches them against
    -- the file's last part); `kind` decides, and returning nil leaves the file to the
    -- built-in rules. The positive priority puts them ahead of the `*.yaml` extension rule.
    local rule = { from_path, { priority = 10 } }
    vim.filetype.add({
      pattern = {
        ['.*' .. any_case('dockerfile') .. '.*'] = rule,
        ['.*' .. any_case('containerfile') .. '.*'] = rule,
        ['.*' .. any_case('compose') .. '.*%.[Yy][Aa]?[Mm][Ll]'] = rule,
      },
    })
  end

  -- Before 0.8 vim.filetype only runs when the user opted in with g:do_filetype_lua (and
  -- from 0.8 to 0.9 g:do_legacy_filetype opts out), so plain autocommands do the job there.
  -- They run after the built-in ones, which is what lets them replace `yaml`.
  local lua_detection = vim.fn.has('nvim-0.8') == 1 and vim.g.do_legacy_filetype ~= 1
  if not lua_detection then
    local group = vim.api.nvim_create_augroup('dockwise_filetype', { clear = true })
    vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
      group = group,
      pattern = '*',
      callback = function(args)
        local ft = M.kind(args.match)
        if ft and vim.bo[args.buf].filetype ~= ft then
          vim.bo[args.buf].filetype = ft
        end
      end,
    })
  end
end

return M
