-- Pandoc filter run first, on the paper's markdown as composed: markup the council owns (the
-- notebooks' own markdown, the cover template) may format text, never reach outside the paper.
-- * An image must be a file inside the paper's own folder: no address, no absolute path, no "..",
--   nothing under outputs/ (the private QA record lives there).
-- * Raw Word XML or Typst is refused, unless the parameters allow it (raw_markup, with a reason);
--   even then a Word field that fetches or includes (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE) is refused.
-- What it refuses is reported in one message that starts "cswo refuses:", one problem a line.

local FETCHING_FIELDS = {'INCLUDEPICTURE', 'INCLUDETEXT', 'LINK', 'DDE', 'DDEAUTO', 'IMPORT'}

local function image_problem(src)
  local path = src:gsub('\\', '/')
  if path:match('^%a[%w+.-]*:') or path:match('^/') or path:match('^~') then
    return 'the image "' .. src .. '" is not a file in the project: give a path inside the project'
  end
  for part in path:gmatch('[^/]+') do
    if part == '..' then
      return 'the image "' .. src .. '" reaches outside the project (".." in its path)'
    end
  end
  local first = path:gsub('^%./', ''):match('^[^/]+')
  if first == 'outputs' then
    return 'the image "' .. src .. '" is under outputs/, which holds the build\'s own and private files'
  end
  return nil
end

local function field_problem(text)
  local upper = text:upper()
  for _, name in ipairs(FETCHING_FIELDS) do
    if upper:match('%f[%w]' .. name .. '%f[^%w]') then
      return 'raw Word markup holds a ' .. name .. ' field, which would fetch or include another file'
    end
  end
  return nil
end

function Pandoc(doc)
  local allowed = doc.meta['cswo-raw-markup'] ~= nil
    and pandoc.utils.stringify(doc.meta['cswo-raw-markup']) == 'allowed'
  local problems, seen = {}, {}
  local function refuse(problem)
    if problem and not seen[problem] then
      seen[problem] = true
      table.insert(problems, problem)
    end
  end
  local function raw(el)
    if el.format == 'html' then return end  -- neither writer prints raw HTML
    if not allowed then
      local text = el.text:gsub('%s+', ' '):sub(1, 60)
      refuse('raw ' .. el.format .. ' markup ("' .. text .. '") is not allowed in a paper; '
        .. 'set raw_markup in the parameters, with the reason, to allow it')
    elseif el.format == 'openxml' then
      refuse(field_problem(el.text))
    end
  end
  doc:walk({
    RawBlock = raw,
    RawInline = raw,
    Image = function(img) refuse(image_problem(img.src)) end,
  })
  if #problems > 0 then
    error('cswo refuses:\n' .. table.concat(problems, '\n'), 0)
  end
  return nil
end
