/**
 * gan-kit in the browser: live training (2-D ring, DCGAN on MNIST) with start/pause and a backend picker, and a
 * generator trained by `npx gan-kit train dcgan` with a sample grid, a truncation slider and a latent walk.
 */
import './style.css';
import * as tf from '@tensorflow/tfjs';
import * as ganKit from 'gan-kit';
import { BackendError, PAGE_BACKENDS, useBackend, type BackendInfo, type PageBackend } from './backend';
import { drawLossChart } from './draw';
import { loadMnistSubset, mnistExperiment, ringExperiment, type Experiment } from './experiments';
import { PretrainedGenerator } from './pretrained';

type ExperimentName = 'ring' | 'mnist';

/** A snapshot of the page, for the console and the end-to-end tests (window.ganKitDemo.state()). */
export interface DemoState {
  backend: string;
  backendDetail: string;
  /** Backends that failed to start here, with the reason. */
  unavailable: Record<string, string>;
  experiment: ExperimentName;
  /** False while the experiment is being (re)built; true once it is built and its first samples are drawn. */
  experimentReady: boolean;
  running: boolean;
  step: number;
  discriminatorLoss: number[];
  generatorLoss: number[];
  pretrained: 'loading' | 'ready' | 'error';
  /** Errors shown on the page. */
  errors: string[];
  numTensors: number;
}

declare global {
  interface Window {
    ganKitDemo: { state(): DemoState; ready: Promise<void> };
    ganKit: typeof ganKit;
    tf: typeof tf;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

const ui = {
  backend: $<HTMLSelectElement>('backend'),
  backendStatus: $('backend-status'),
  experiment: $<HTMLSelectElement>('experiment'),
  start: $<HTMLButtonElement>('start'),
  reset: $<HTMLButtonElement>('reset'),
  step: $<HTMLOutputElement>('step'),
  dLoss: $<HTMLOutputElement>('d-loss'),
  gLoss: $<HTMLOutputElement>('g-loss'),
  speed: $<HTMLOutputElement>('speed'),
  note: $('experiment-note'),
  samples: $<HTMLCanvasElement>('samples'),
  samplesCaption: $('samples-caption'),
  losses: $<HTMLCanvasElement>('losses'),
  pretrainedStatus: $('pretrained-status'),
  resample: $<HTMLButtonElement>('resample'),
  truncation: $<HTMLInputElement>('truncation'),
  truncationValue: $<HTMLOutputElement>('truncation-value'),
  grid: $<HTMLCanvasElement>('grid'),
  walk: $<HTMLCanvasElement>('walk'),
  walkMethod: $<HTMLSelectElement>('walk-method'),
  newWalk: $<HTMLButtonElement>('new-walk'),
};

const base = new URL('.', document.baseURI);
const state: DemoState = {
  backend: '',
  backendDetail: '',
  unavailable: {},
  experiment: 'ring',
  experimentReady: false,
  running: false,
  step: 0,
  discriminatorLoss: [],
  generatorLoss: [],
  pretrained: 'loading',
  errors: [],
  numTensors: 0,
};

function reportError(where: string, error: unknown): void {
  const message = `${where}: ${error instanceof Error ? error.message : String(error)}`;
  state.errors.push(message);
  console.warn(message);
}

// ---------------------------------------------------------------------------------------------- backends

function showBackend(info: BackendInfo): void {
  state.backend = info.name;
  state.backendDetail = info.detail;
  ui.backend.value = info.name;
  ui.backendStatus.textContent = `Using ${info.name}${info.detail ? ` (${info.detail})` : ''}.`;
  document.body.dataset.backend = info.name;
}

function markUnavailable(name: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  state.unavailable[name] = reason;
  const option = Array.from(ui.backend.options).find((o) => o.value === name);
  if (option) {
    option.disabled = true;
    option.textContent = `${name} (unavailable)`;
  }
}

/** Switches backend; on failure keeps the current one and says why. */
async function switchBackend(name: PageBackend): Promise<void> {
  state.experimentReady = false; // before the first await: set again once the experiment runs on the new backend
  await pause();
  const previous = state.backend;
  try {
    showBackend(await useBackend(name));
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    markUnavailable(name, error);
    if (previous) showBackend(await useBackend(previous as PageBackend));
    ui.backendStatus.textContent = `${name} cannot start in this browser; still using ${state.backend}.`;
  }
  if (state.backend !== previous) {
    await resetExperiment();
    await redrawPretrained();
  } else {
    state.experimentReady = experiment !== undefined;
  }
}

// ---------------------------------------------------------------------------------------------- live training

let experiment: Experiment | undefined;
let digits: tf.Tensor4D | undefined;
let loop: Promise<void> | undefined;

function updateReadout(): void {
  const last = (values: number[]): string => (values.length ? values[values.length - 1]!.toFixed(4) : '–');
  ui.step.value = String(state.step);
  ui.dLoss.value = last(state.discriminatorLoss);
  ui.gLoss.value = last(state.generatorLoss);
  ui.start.textContent = state.running ? 'Pause' : state.step > 0 ? 'Resume' : 'Start';
  document.body.dataset.state = state.running ? 'running' : 'ready';
  state.numTensors = tf.memory().numTensors;
}

function redrawLosses(): void {
  drawLossChart(ui.losses, [
    { label: 'discriminator', color: '#1f77b4', values: state.discriminatorLoss },
    { label: 'generator', color: '#e66e00', values: state.generatorLoss },
  ]);
}

async function buildExperiment(name: ExperimentName): Promise<Experiment> {
  if (name === 'ring') return ringExperiment();
  digits ??= await loadMnistSubset(new URL('mnist/mnist-1000.png', base).href);
  return mnistExperiment(digits);
}

async function resetExperiment(): Promise<void> {
  state.experimentReady = false; // before the first await, so that a change event clears it at once
  await pause();
  experiment?.dispose();
  experiment = undefined;
  state.step = 0;
  state.discriminatorLoss = [];
  state.generatorLoss = [];
  ui.speed.value = '';
  experiment = await buildExperiment(state.experiment);
  ui.note.textContent = experiment.note;
  ui.samplesCaption.textContent = experiment.caption;
  await experiment.draw(ui.samples);
  redrawLosses();
  state.experimentReady = true;
  updateReadout();
}

async function trainLoop(run: Experiment): Promise<void> {
  const started = performance.now();
  const firstStep = state.step;
  while (state.running && experiment === run) {
    const stats = await run.step();
    state.step = stats.step;
    state.discriminatorLoss.push(stats.discriminatorLoss);
    state.generatorLoss.push(stats.generatorLoss);
    if (stats.step % run.drawEvery === 0) {
      await run.draw(ui.samples);
      redrawLosses();
      const msPerStep = (performance.now() - started) / (state.step - firstStep);
      ui.speed.value = `${msPerStep.toFixed(1)} ms/step`;
    }
    updateReadout();
    // Give the page a turn (clicks, painting) between steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await run.draw(ui.samples);
  redrawLosses();
}

function start(): void {
  if (state.running || !experiment) return;
  state.running = true;
  updateReadout();
  const run = experiment;
  loop = trainLoop(run)
    .catch((error: unknown) => reportError('training', error))
    .finally(() => {
      state.running = false;
      updateReadout();
    });
}

async function pause(): Promise<void> {
  state.running = false;
  await loop;
  loop = undefined;
  updateReadout();
}

// ---------------------------------------------------------------------------------------------- pretrained

let pretrained: PretrainedGenerator | undefined;
let gridSeed = 1;
let walkSeeds: [number, number] = [11, 12];

function truncation(): number | undefined {
  const value = Number(ui.truncation.value);
  return value >= Number(ui.truncation.max) ? undefined : value;
}

async function redrawPretrained(): Promise<void> {
  if (!pretrained) return;
  const t = truncation();
  ui.truncationValue.value = t === undefined ? 'off' : `${t.toFixed(1)} σ`;
  await pretrained.drawGrid(ui.grid, gridSeed, t);
  await pretrained.drawWalk(ui.walk, walkSeeds[0], walkSeeds[1], ui.walkMethod.value as 'slerp' | 'lerp');
  state.numTensors = tf.memory().numTensors;
}

async function loadPretrained(): Promise<void> {
  try {
    pretrained = await PretrainedGenerator.load(new URL('pretrained/dcgan-mnist/', base));
    const { info } = pretrained;
    ui.pretrainedStatus.textContent =
      `DCGAN generator after ${info.step} steps on MNIST (${info.weights}), trained with: ${info.command}`;
    await redrawPretrained();
    state.pretrained = 'ready';
  } catch (error) {
    state.pretrained = 'error';
    ui.pretrainedStatus.textContent = `Could not load the pretrained generator: ${(error as Error).message}`;
    reportError('pretrained generator', error);
  }
}

// ---------------------------------------------------------------------------------------------- wiring

function wire(): void {
  ui.start.addEventListener('click', () => (state.running ? void pause() : start()));
  ui.reset.addEventListener('click', () => void resetExperiment().catch((e: unknown) => reportError('reset', e)));
  ui.experiment.addEventListener('change', () => {
    state.experiment = ui.experiment.value as ExperimentName;
    void resetExperiment().catch((e: unknown) => reportError('experiment', e));
  });
  ui.backend.addEventListener('change', () => {
    void switchBackend(ui.backend.value as PageBackend).catch((e: unknown) => reportError('backend', e));
  });
  ui.resample.addEventListener('click', () => {
    gridSeed += 1;
    void redrawPretrained().catch((e: unknown) => reportError('samples', e));
  });
  ui.truncation.addEventListener('input', () => void redrawPretrained().catch((e: unknown) => reportError('truncation', e)));
  ui.walkMethod.addEventListener('change', () => void redrawPretrained().catch((e: unknown) => reportError('walk', e)));
  ui.newWalk.addEventListener('click', () => {
    walkSeeds = [walkSeeds[1], walkSeeds[1] + 1];
    void redrawPretrained().catch((e: unknown) => reportError('walk', e));
  });
}

async function main(): Promise<void> {
  window.ganKit = ganKit;
  window.tf = tf;
  const params = new URLSearchParams(location.search);
  const requested = params.get('backend');
  const experimentParam = params.get('experiment');
  if (experimentParam === 'ring' || experimentParam === 'mnist') state.experiment = experimentParam;
  ui.experiment.value = state.experiment;
  wire();
  if (requested !== null && (PAGE_BACKENDS as readonly string[]).includes(requested)) {
    try {
      showBackend(await useBackend(requested as PageBackend));
    } catch (error) {
      markUnavailable(requested, error);
      showBackend(await useBackend());
    }
  } else {
    showBackend(await useBackend());
  }
  await Promise.all([resetExperiment(), loadPretrained()]);
  console.info('gan-kit demo ready: try window.ganKit and window.tf in this console.');
}

const ready = main().catch((error: unknown) => {
  reportError('start-up', error);
  document.body.dataset.state = 'error';
});
window.ganKitDemo = { state: () => structuredClone(state), ready };
