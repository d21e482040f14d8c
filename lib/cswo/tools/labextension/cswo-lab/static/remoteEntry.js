/*
 * cswo-lab: a small JupyterLab 4 extension for `cswo lab`, written as plain JavaScript so that it
 * needs no build step (no npm, no webpack). It is a module-federation container in the shape
 * JupyterLab loads (window._JUPYTERLAB[name] with init() and get()), and it takes JupyterLab's own
 * @jupyterlab/notebook from the shared scope, so it talks to the same notebook tracker and signals.
 *
 * What it does, for each notebook opened in the lab:
 *
 * 1. A role fills on the first Shift+Enter. jupyterlab-myst evaluates a markdown cell's {eval}
 *    roles from the cell's *previous* rendering (jupyterlab-myst #175), so a role just typed stays a
 *    code span until the cell runs a second time. Once the cell has rendered, this extension asks
 *    the kernel for every role the cell holds and stores the results where jupyterlab-myst reads
 *    them (the cell's user_expressions metadata), which re-renders the cell filled in.
 * 2. After a code cell runs (the set-up cell, say), every rendered markdown cell's roles are asked
 *    again, so each sentence fills without running every markdown cell by hand. A cell is only
 *    re-rendered when what it shows changes.
 * 3. Under each markdown cell it shows what `cswo validate` says about it, in the same words: a name
 *    no figure registers (with "did you mean"), a number or a year typed where a role belongs. The
 *    kernel's cswo.notebook.lab.cell_messages writes them; nothing is worded here.
 *
 * The kernel requests are silent (no execution count, nothing in the history).
 */
(function () {
  'use strict';

  var NAME = 'cswo-lab';
  var ROLE = /\{eval\}`([^`]*)`/g;
  var METADATA = 'user_expressions'; // where jupyterlab-myst keeps each role's result
  var shareScope = null;

  function shared(name) {
    var versions = shareScope && shareScope[name];
    if (!versions) {
      return Promise.reject(new Error(NAME + ': ' + name + ' is not shared by this JupyterLab'));
    }
    var keys = Object.keys(versions);
    var key =
      keys.find(function (k) { return versions[k].loaded; }) ||
      keys.find(function (k) { return versions[k].eager; }) ||
      keys[keys.length - 1];
    return Promise.resolve(versions[key].get()).then(function (factory) { return factory(); });
  }

  function rolesIn(source) {
    var found = [];
    var match;
    ROLE.lastIndex = 0;
    while ((match = ROLE.exec(source)) !== null) {
      if (found.indexOf(match[1]) < 0) {
        found.push(match[1]);
      }
    }
    return found;
  }

  function renderedRoles(cell) {
    var found = [];
    (function walk(node) {
      if (!node || typeof node !== 'object') {
        return;
      }
      if (node.type === 'inlineExpression') {
        found.push(node.value);
      }
      (node.children || []).forEach(walk);
    })(cell.mystModel && cell.mystModel.mdast);
    return found;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // jupyterlab-myst renders a cell asynchronously; its roles are evaluated from the rendered tree
  async function rendered(cell, seconds) {
    var wanted = rolesIn(cell.model.sharedModel.getSource());
    for (var waited = 0; waited < seconds * 1000; waited += 50) {
      var shown = renderedRoles(cell);
      if (wanted.every(function (role) { return shown.indexOf(role) >= 0; })) {
        return true;
      }
      await sleep(50);
    }
    return false;
  }

  function sectionOf(panel) {
    var path = (panel.context && panel.context.path) || '';
    return path.split('/').pop().replace(/\.ipynb$/, '');
  }

  function messagesCall(source, cellNumber, section) {
    return (
      "__import__('cswo.notebook.lab', fromlist=['cell_messages']).cell_messages(" +
      JSON.stringify(source) + ', ' + cellNumber + ', ' + JSON.stringify(section) + ')'
    );
  }

  async function ask(kernel, expressions) {
    var future = kernel.requestExecute(
      { code: '', silent: true, store_history: false, user_expressions: expressions },
      true
    );
    var reply = await future.done;
    return (reply && reply.content && reply.content.user_expressions) || {};
  }

  function showMessages(cell, result) {
    var messages = [];
    if (result && result.status === 'ok') {
      try {
        messages = JSON.parse(result.data['text/plain']);
      } catch (error) {
        messages = [];
      }
    }
    var box = cell.node.querySelector(':scope > .cswo-messages');
    if (!messages.length) {
      if (box) {
        box.remove();
      }
      return;
    }
    if (!box) {
      box = document.createElement('div');
      box.className = 'cswo-messages';
      box.setAttribute('role', 'status');
      cell.node.appendChild(box);
    }
    box.textContent = '';
    messages.forEach(function (text) {
      var line = document.createElement('div');
      line.className = 'cswo-message';
      line.textContent = text;
      box.appendChild(line);
    });
  }

  function storeResults(cell, roles, results) {
    var evaluated = roles.map(function (role, k) {
      return { expression: role, result: results[k] };
    });
    var before = cell.model.getMetadata(METADATA);
    if (JSON.stringify(before || []) !== JSON.stringify(evaluated)) {
      cell.model.trusted = true;
      if (evaluated.length) {
        cell.model.setMetadata(METADATA, evaluated);
      } else {
        cell.model.deleteMetadata(METADATA);
      }
    }
  }

  // One kernel request for the roles and validate's messages of the given markdown cells
  async function refresh(panel, cells) {
    var kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || !cells.length) {
      return;
    }
    var section = sectionOf(panel);
    var widgets = panel.content.widgets;
    var expressions = {};
    var plan = cells.map(function (cell, c) {
      var source = cell.model.sharedModel.getSource();
      var roles = rolesIn(source);
      roles.forEach(function (role, k) { expressions[c + ':' + k] = role; });
      var tags = cell.model.getMetadata('tags') || [];
      if (tags.indexOf('unreviewed') < 0 && tags.indexOf('remove-cell') < 0) {
        // cells the papers never show (the 'not yet reviewed' banner) have nothing for validate to say
        expressions[c + ':messages'] = messagesCall(source, widgets.indexOf(cell) + 1, section);
      }
      return { cell: cell, roles: roles };
    });
    var results = await ask(kernel, expressions);
    plan.forEach(function (item, c) {
      var found = item.roles.map(function (role, k) { return results[c + ':' + k]; });
      if (found.every(function (r) { return r !== undefined; })) {
        storeResults(item.cell, item.roles, found);
      }
      showMessages(item.cell, results[c + ':messages']);
    });
  }

  function isMarkdown(cell) {
    return cell && cell.model && cell.model.type === 'markdown';
  }

  async function markdownRan(panel, cell) {
    await rendered(cell, 5);
    await refresh(panel, [cell]);
    // jupyterlab-myst's own request for the same cell may answer after ours, from the tree it had
    // before: if it left a role out, ask again once
    await sleep(400);
    var stored = (cell.model.getMetadata(METADATA) || []).map(function (e) { return e.expression; });
    var missing = rolesIn(cell.model.sharedModel.getSource()).filter(function (r) { return stored.indexOf(r) < 0; });
    if (missing.length) {
      await refresh(panel, [cell]);
    }
  }

  async function codeRan(panel) {
    var cells = panel.content.widgets.filter(function (cell) {
      return isMarkdown(cell) && cell.rendered;
    });
    await refresh(panel, cells);
  }

  var STYLE =
    '.cswo-messages { margin: 2px 0 6px calc(var(--jp-cell-prompt-width, 64px) + 12px);' +
    ' padding: 4px 8px; border-left: 4px solid #b45309; background: #fff7ed; color: #7c2d12;' +
    ' font-family: var(--jp-ui-font-family); font-size: var(--jp-ui-font-size1); }' +
    '.cswo-message + .cswo-message { margin-top: 4px; }';

  function plugin(notebook) {
    return {
      id: 'cswo-lab:roles-and-messages',
      description: 'Fills {eval} roles on the first run and shows validate\'s messages under each cell.',
      autoStart: true,
      requires: [notebook.INotebookTracker],
      activate: function (app, tracker) {
        var style = document.createElement('style');
        style.textContent = STYLE;
        document.head.appendChild(style);
        notebook.NotebookActions.executed.connect(function (_, args) {
          var panel = tracker.find(function (p) { return p.content === args.notebook; });
          if (!panel) {
            return;
          }
          var work = isMarkdown(args.cell) ? markdownRan(panel, args.cell) : codeRan(panel);
          work.catch(function (error) { console.warn(NAME + ':', error); });
        });
        window.cswoLab = { version: '0.1.0' }; // for `make lab-check`: the extension is running
      }
    };
  }

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: function (scope) {
      shareScope = scope;
    },
    get: function (module) {
      if (module !== './extension') {
        return Promise.reject(new Error(NAME + ' has no module ' + module));
      }
      return shared('@jupyterlab/notebook').then(function (notebook) {
        return function () {
          return { __esModule: true, default: [plugin(notebook)] };
        };
      });
    }
  };
})();
